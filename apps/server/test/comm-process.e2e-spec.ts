/**
 * The comm process (`serial.commProcess: child`, the default) end to end, on the built server as `npm start` runs it
 * (`dist/main.js` in a child process, its comm process built JavaScript too). The printer is
 * firmware-sim on a real pty in this process, so its executed-command log is the oracle for the exact G-code.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type PtySimulator, startPtySimulator } from '@hotend/firmware-sim';
import { HotendClient } from '@hotend/sdk';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { stringify } from 'yaml';
import { statusOf, TEST_KEYS } from './harness.js';

const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));
/** Polls and reports the firmware sends on its own, which are not the commands under test. */
const BACKGROUND = /^(M105|M27|M155|M114|M113)\b|^M20 L T$/;

interface ServerProcess {
  child: ChildProcess;
  url: string;
  output(): string;
  /** The signal that ended it, or its exit code. */
  exited: Promise<string | number | null>;
}

async function startServer(basedir: string): Promise<ServerProcess> {
  const child = spawn(process.execPath, [MAIN, '--basedir', basedir, '--port', '0', '--host', '127.0.0.1'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<string | number | null>((resolve) =>
    child.on('exit', (code, signal) => resolve(signal ?? code)),
  );
  const url = await vi.waitFor(
    () => {
      if (child.exitCode !== null) throw new Error(`server exited early:\n${output}`);
      const match = /Hotend is running: +(http:\/\/\S+)\n/.exec(output);
      if (match?.[1] === undefined) throw new Error('not listening yet');
      return match[1];
    },
    { timeout: 20_000, interval: 50 },
  );
  return { child, url: url.replace('localhost', '127.0.0.1'), output: () => output, exited };
}

describe('serial comm in the comm process (built server, printer on a pty)', () => {
  let basedir: string;
  let pty: PtySimulator;
  let server: ServerProcess;
  let client: HotendClient;

  const serialCommands = (mark: number): string[] =>
    pty.sim.executed
      .slice(mark)
      .filter((entry) => entry.source === 'serial')
      .map((entry) => entry.command)
      .filter((command) => !BACKGROUND.test(command));

  async function expectGcode(action: () => Promise<unknown>, expected: string[]): Promise<void> {
    const mark = pty.sim.executed.length;
    await action();
    await vi.waitFor(() => expect(serialCommands(mark)).toEqual(expected), { timeout: 10_000, interval: 20 });
  }

  beforeAll(async () => {
    basedir = mkdtempSync(join(tmpdir(), 'hotend-comm-process-'));
    pty = await startPtySimulator({ resetOnOpen: false, moveTimeFactor: 0.01 });
    const config = {
      api: { keys: [{ name: 'admin', key: TEST_KEYS.ADMIN, permissions: ['ADMIN'] }] },
      serial: {
        port: pty.path,
        baudrate: 115200,
        autoconnect: true,
        log: true,
        commProcess: 'child',
        additionalPorts: [pty.path],
      },
    };
    writeFileSync(join(basedir, 'config.yaml'), stringify(config), { mode: 0o600 });
    server = await startServer(basedir);
    client = new HotendClient({ baseUrl: server.url, apiKey: TEST_KEYS.ADMIN });
    // Operational, and the first temperature report is in (auto-reported every 2 s after M155).
    await vi.waitFor(async () => expect((await client.printer.getFullState()).temperature?.['tool0']).toBeDefined(), {
      timeout: 20_000,
      interval: 100,
    });
  });

  afterAll(async () => {
    if (server?.child.exitCode === null) {
      server.child.kill('SIGKILL');
      await server.exited;
    }
    await pty?.close();
    rmSync(basedir, { recursive: true, force: true });
  });

  it('reports the connection and the printer state the comm process posted', async () => {
    expect((await client.connection.getSettings()).current).toEqual({
      state: 'Operational',
      port: pty.path,
      baudrate: 115200,
      printerProfile: '_default',
    });
    const state = await client.printer.getFullState();
    expect(state.state?.text).toBe('Operational');
    expect(state.state?.flags).toMatchObject({ operational: true, printing: false, ready: true, error: false });
    expect(state.temperature?.['tool0']).toMatchObject({ actual: 21.3, target: 0, offset: 0 });
    expect(state.temperature?.['bed']).toMatchObject({ actual: 21.3, target: 0, offset: 0 });
  });

  it('sends exactly the G-code of each command through the comm process', async () => {
    await expectGcode(() => client.printer.jog({ x: 10, y: -5, z: 0.02 }), ['G91', 'G0 X10 Y-5 Z0.02 F200', 'G90']);
    await expectGcode(() => client.printer.home(['x', 'y']), ['G91', 'G28 X0 Y0', 'G90']);
    await expectGcode(
      () => client.control.sendGcode(['M117 from the comm process', 'G1 X5 F3000']),
      ['M117 from the comm process', 'G1 X5 F3000'],
    );
  });

  it('mirrors targets and temperature history from the comm process', async () => {
    await expectGcode(() => client.printer.setBedTargetTemperature(75), ['M140 S75']);
    await vi.waitFor(async () => expect((await client.printer.getBedState()).bed?.target).toBe(75), {
      timeout: 10_000,
    });
    // The next temperature report appends a sample with the new target.
    await vi.waitFor(
      async () => {
        const history = (await client.printer.getFullState({ history: true })).temperature?.history ?? [];
        expect(history.at(-1)?.['bed']).toMatchObject({ target: 75 });
      },
      { timeout: 10_000, interval: 100 },
    );
    await expectGcode(() => client.printer.setBedTargetTemperature(0), ['M140 S0']);
  });

  it('disconnects (409 while offline) and reconnects', async () => {
    await client.connection.disconnect();
    expect((await client.connection.getSettings()).current.state).toBe('Offline');
    expect(await statusOf(client.printer.jog({ x: 1 }))).toEqual({
      status: 409,
      body: { error: 'Printer is not operational or currently printing' },
    });
    const mark = pty.sim.executed.length;
    await client.connection.connect({ port: pty.path, baudrate: 115200 });
    await vi.waitFor(async () => expect((await client.connection.getSettings()).current.state).toBe('Operational'), {
      timeout: 10_000,
      interval: 25,
    });
    expect(serialCommands(mark).slice(0, 3)).toEqual(['M110 N0', 'M110 N0', 'M110 N0']);
    await expectGcode(() => client.printer.setFeedrate(105), ['M220 S105']);
  });

  it('reports a command the comm process refused in hotend.log (the error crossed the process boundary)', async () => {
    await client.control.sendGcode(`M117 ${'x'.repeat(116)}`);
    await vi.waitFor(
      () =>
        expect(readFileSync(join(basedir, 'logs', 'hotend.log'), 'utf8')).toMatch(
          /hotend\.printer - WARN - Could not send M117 x+: Line is longer than \d+ bytes and would be truncated/,
        ),
      { timeout: 10_000, interval: 50 },
    );
  });

  it('writes serial.log and hotend.comm lines from the comm process through the server', async () => {
    await vi.waitFor(
      () => {
        const serialLog = readFileSync(join(basedir, 'logs', 'serial.log'), 'utf8');
        expect(serialLog).toContain('Send: N0 M110 N0*125');
        expect(serialLog).toMatch(/Send: N\d+ M220 S105\*\d+/);
        expect(serialLog).toContain('Recv: ok');
      },
      { timeout: 10_000, interval: 50 },
    );
    const hotendLog = readFileSync(join(basedir, 'logs', 'hotend.log'), 'utf8');
    expect(hotendLog).toContain(`hotend.comm - INFO - Connected to: ${pty.path} at 115200 baud, starting monitor`);
    expect(hotendLog).toContain('hotend.comm - INFO - Changing monitoring state from "Connecting" to "Operational"');
  });

  it('survives the comm process dying: offline after error, and the next connect starts a fresh one', async () => {
    // The server's only child process is the comm process (read from /proc: no procps needed on a bare CI image).
    const commPid = (): number | undefined =>
      readdirSync('/proc')
        .filter((name) => /^\d+$/.test(name))
        .map(Number)
        .find((pid) => {
          try {
            // `pid (comm) state ppid ...`; comm may hold spaces, so split after its closing parenthesis.
            const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
            return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === server.child.pid;
          } catch {
            return false; // gone between the listing and the read
          }
        });
    const first = commPid();
    expect(first).toBeDefined();
    process.kill(first ?? 0, 'SIGKILL');
    await vi.waitFor(
      async () => expect((await client.connection.getSettings()).current.state).toBe('Offline after error'),
      { timeout: 10_000, interval: 25 },
    );
    expect(await client.printer.getErrorInfo()).toMatchObject({
      error: 'The comm process stopped (SIGKILL)',
      reason: 'serial',
    });
    await client.connection.connect({ port: pty.path, baudrate: 115200 });
    await vi.waitFor(async () => expect((await client.connection.getSettings()).current.state).toBe('Operational'), {
      timeout: 10_000,
      interval: 25,
    });
    expect(commPid()).not.toBe(first);
    await expectGcode(() => client.printer.setFeedrate(95), ['M220 S95']);
    expect(readFileSync(join(basedir, 'logs', 'hotend.log'), 'utf8')).toContain(
      'The comm process stopped (SIGKILL); it starts again on the next connect',
    );
  });

  it('shuts down cleanly on SIGTERM: disconnects, ends the comm process and exits', async () => {
    server.child.kill('SIGTERM');
    // Nest's shutdown hook closes the app (the comm process disconnects the printer and ends), then re-raises the signal.
    expect(await server.exited).toBe('SIGTERM');
    expect(readFileSync(join(basedir, 'logs', 'hotend.log'), 'utf8')).toContain(
      'hotend.comm - INFO - Changing monitoring state from "Operational" to "Offline"',
    );
  });
});
