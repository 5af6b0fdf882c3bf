/**
 * Printing on the built server as `npm start` runs it (`serial.commProcess: child`: the engine runs in the comm
 * process), and what a `kill -9` of the server during an upload and during a print leaves behind.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type PtySimulator, startPtySimulator } from '@hotend/firmware-sim';
import { HotendClient } from '@hotend/sdk';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { stringify } from 'yaml';
import { TEST_KEYS } from './harness.js';
import { abortedUpload } from './multipart.js';

const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));

interface ServerProcess {
  child: ChildProcess;
  client: HotendClient;
  url: string;
  exited: Promise<unknown>;
}

async function startServer(basedir: string): Promise<ServerProcess> {
  const child = spawn(process.execPath, [MAIN, '--basedir', basedir, '--port', '0', '--host', '127.0.0.1'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise((resolve) => child.on('exit', resolve));
  const url = await vi.waitFor(
    () => {
      if (child.exitCode !== null) throw new Error(`server exited early:\n${output}`);
      const match = /Hotend is running: +(http:\/\/\S+)\n/.exec(output);
      if (match?.[1] === undefined) throw new Error('not listening yet');
      return match[1].replace('localhost', '127.0.0.1');
    },
    { timeout: 20_000, interval: 50 },
  );
  return { child, url, exited, client: new HotendClient({ baseUrl: url, apiKey: TEST_KEYS.ADMIN }) };
}

async function waitForState(client: HotendClient, state: string): Promise<void> {
  await vi.waitFor(async () => expect((await client.job.get()).state).toBe(state), { timeout: 60_000, interval: 50 });
}

describe('printing in the comm process, and kill -9 (built server, printer on a pty)', () => {
  let basedir: string;
  let pty: PtySimulator;
  let server: ServerProcess;

  beforeAll(async () => {
    basedir = mkdtempSync(join(tmpdir(), 'hotend-job-process-'));
    pty = await startPtySimulator({ resetOnOpen: false });
    const config = {
      api: { keys: [{ name: 'admin', key: TEST_KEYS.ADMIN, permissions: ['ADMIN'] }] },
      serial: {
        port: pty.path,
        baudrate: 115200,
        autoconnect: true,
        log: false,
        commProcess: 'child',
        flowControl: 'send-ahead',
      },
    };
    writeFileSync(join(basedir, 'config.yaml'), stringify(config), { mode: 0o600 });
    server = await startServer(basedir);
    await waitForState(server.client, 'Operational');
  }, 60_000);

  afterAll(async () => {
    server.child.kill('SIGKILL');
    await server.exited;
    await pty.close();
    rmSync(basedir, { recursive: true, force: true });
  });

  it('prints an upload with print=true in send-ahead mode, each line exactly once and in order', async () => {
    const lines = Array.from({ length: 3000 }, (_, index) => `M117 W${index}`);
    const mark = pty.sim.executed.length;
    const result = await server.client.files.upload('local', new Blob([lines.join('\n')]), {
      filename: 'worker.gcode',
      print: true,
    });
    expect(result.effectivePrint).toBe(true);
    await vi.waitFor(
      async () => {
        expect((await server.client.files.get('local', 'worker.gcode')).prints).toMatchObject({ success: 1 });
      },
      { timeout: 60_000, interval: 100 },
    );
    const ran = pty.sim.executed
      .slice(mark)
      .map((entry) => entry.command)
      .filter((command) => command.startsWith('M117 W'));
    expect(ran).toEqual(lines);
    expect((await server.client.job.get()).progress).toMatchObject({ completion: 100, printTimeLeft: 0 });
  }, 90_000);

  it('after a kill -9 mid-upload and mid-print: no partial file, the print recorded as failed, the printer back', async () => {
    const dwell = Array.from({ length: 5000 }, () => 'G4 P5').join('\n');
    await server.client.files.upload('local', new Blob([dwell]), { filename: 'interrupted.gcode', print: true });
    await waitForState(server.client, 'Printing');
    // An upload still arriving when the server dies.
    void abortedUpload(
      `${server.url}/api/files/local`,
      { 'x-api-key': TEST_KEYS.ADMIN },
      512 * 1024 * 1024,
      4 * 1024 * 1024,
    );
    await vi.waitFor(
      () => expect(readdirSync(join(basedir, 'uploads')).some((name) => name.startsWith('.upload-'))).toBe(true),
      {
        timeout: 10_000,
        interval: 10,
      },
    );
    server.child.kill('SIGKILL');
    await server.exited;

    server = await startServer(basedir);
    await waitForState(server.client, 'Operational');
    expect(readdirSync(join(basedir, 'uploads')).filter((name) => name.startsWith('.'))).toEqual([]);
    const names = (await server.client.files.list()).files.map((file) => file.name);
    expect(names).not.toContain('aborted.gcode');
    expect((await server.client.files.get('local', 'interrupted.gcode')).prints).toMatchObject({
      success: 0,
      failure: 1,
    });
    // The printer works again: a new print runs to the end.
    await server.client.files.upload('local', new Blob(['M117 again\n']), { filename: 'again.gcode', print: true });
    await vi.waitFor(
      async () => expect((await server.client.files.get('local', 'again.gcode')).prints).toMatchObject({ success: 1 }),
      {
        timeout: 30_000,
      },
    );
  }, 120_000);
});
