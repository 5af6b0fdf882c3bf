import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HotendClient } from '@hotend/sdk';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const KEY = 'crash-test-admin-key-0123456789';

interface RunningServer {
  readonly child: ChildProcess;
  readonly url: string;
}

/** Starts the built server as a real process and waits for the line announcing its URL. */
function startServer(basedir: string): Promise<RunningServer> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN, '--basedir', basedir, '--host', '127.0.0.1', '--port', '0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const match = /Hotend is running: +(http:\/\/\S+)/.exec(output);
      if (match?.[1] !== undefined) {
        child.stdout?.off('data', onData);
        child.stdout?.resume();
        resolve({ child, url: match[1] });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('exit', (code) => reject(new Error(`server exited with ${code} before listening:\n${output}`)));
  });
}

function killed(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

async function waitFor(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 20));
}

describe('build logs: a publish killed mid-body (server SIGKILLed, then restarted)', () => {
  let basedir: string;
  let server: RunningServer | undefined;
  const day = 86400;
  const now = Math.floor(Date.now() / 1000);

  beforeAll(() => {
    expect(existsSync(MAIN), `${MAIN} must be built (npm run build -w @hotend/server)`).toBe(true);
    basedir = mkdtempSync(join(tmpdir(), 'hotend-crash-'));
    const config = {
      api: { keys: [{ name: 'admin', key: KEY, permissions: ['ADMIN'] }] },
      serial: { autoconnect: false },
    };
    writeFileSync(join(basedir, 'config.yaml'), stringify(config), { mode: 0o600 });
  });
  afterAll(async () => {
    if (server !== undefined) await killed(server.child);
    rmSync(basedir, { recursive: true, force: true });
  });

  it('leaves neither row nor file after the restart, keeps finished logs, and applies retention at start', async () => {
    server = await startServer(basedir);
    const client = new HotendClient({ baseUrl: server.url, apiKey: KEY });
    const meta = { target: 1, endTime: now, arch: 'x86_64', exitCode: 0 };
    const kept = await client.buildLogs.publish({ ...meta, startTime: now - day }, 'finished before the crash\n');
    const old = await client.buildLogs.publish({ ...meta, startTime: now - 30 * day }, 'old\n');
    const contents = join(basedir, 'build-logs');
    expect(readdirSync(contents).sort()).toEqual([`${kept.id}.log`, `${old.id}.log`]);

    // Half of a 20 MB body, then the server dies while the temp file is being written.
    const total = 20 * 1024 * 1024;
    const request = httpRequest(
      `${server.url}/api/v1/logs?startTime=${now}&endTime=${now}&arch=a&exitCode=0&target=2`,
      {
        method: 'POST',
        headers: { 'x-api-key': KEY, 'content-type': 'text/plain', 'content-length': String(total) },
      },
    );
    request.on('error', () => undefined);
    request.write(Buffer.alloc(total / 2, 0x62));
    const incoming = (): string[] => readdirSync(contents).filter((name) => name.startsWith('.incoming-'));
    await waitFor(() => incoming().length === 1 && statSync(join(contents, incoming()[0] ?? '')).size > 0);
    await killed(server.child);
    request.destroy();
    expect(incoming()).toHaveLength(1);

    // A content file whose row never committed (a crash between rename and commit) is an orphan too.
    writeFileSync(join(contents, '999.log'), 'orphan');
    writeFileSync(
      join(basedir, 'config.yaml'),
      stringify({
        api: { keys: [{ name: 'admin', key: KEY, permissions: ['ADMIN'] }] },
        serial: { autoconnect: false },
        buildLogs: { retentionDays: 7 },
      }),
    );

    server = await startServer(basedir);
    const restarted = new HotendClient({ baseUrl: server.url, apiKey: KEY });
    expect((await restarted.buildLogs.list()).map((log) => log.id)).toEqual([kept.id]);
    expect(readdirSync(contents)).toEqual([`${kept.id}.log`]);
    expect(await restarted.buildLogs.content(kept.id)).toBe('finished before the crash\n');
    const next = await restarted.buildLogs.publish({ ...meta, startTime: now }, 'after restart');
    expect(next.id).toBeGreaterThan(old.id);
  });
});
