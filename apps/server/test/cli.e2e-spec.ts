import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

/** The built server, started the way `npm start` starts it. */
const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));

interface Run {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function start(args: string[]): Run {
  // Its own process group, as a terminal runs it: Ctrl-C signals the group, the serial worker included.
  const child = spawn(process.execPath, [MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

async function waitFor(run: Run, pattern: RegExp): Promise<RegExpMatchArray> {
  for (;;) {
    const match = run.output().match(pattern);
    if (match) return match;
    if (run.child.exitCode !== null) throw new Error(`server exited early:\n${run.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function stop(run: Run): Promise<void> {
  if (run.child.exitCode === null) {
    run.child.kill('SIGTERM');
    await run.exited;
  }
}

describe('hotend command line', () => {
  let basedir: string;

  beforeEach(() => {
    basedir = mkdtempSync(join(tmpdir(), 'hotend-cli-'));
  });
  afterEach(() => {
    rmSync(basedir, { recursive: true, force: true });
  });

  it('prints the URL, the docs URL and a generated admin key on first start only, and the key works', async () => {
    writeFileSync(join(basedir, 'config.yaml'), 'serial:\n  autoconnect: false\n');
    const first = start(['--basedir', basedir, '--port', '0', '--host', '127.0.0.1']);
    try {
      const [, url] = await waitFor(first, /Hotend is running: +(http:\/\/\S+)\n/);
      await waitFor(first, new RegExp(`API docs: +${url}/api/docs\n`));
      const [, key] = await waitFor(first, /Admin API key: +(\S+)\n/);
      // Nothing noisy before the banner: Nest's route mapping is debug output, in hotend.log only.
      expect(first.output()).not.toMatch(/Mapped \{|RoutesResolver|InstanceLoader/);
      expect(first.output().trimStart()).toMatch(/^Hotend is running/);
      expect(readFileSync(join(basedir, 'config.yaml'), 'utf8')).toContain(key);
      const response = await fetch(`${url}/api/version`, { headers: { 'x-api-key': key! } });
      expect(response.status).toBe(200);
      expect(((await response.json()) as { text: string }).text).toBe('Hotend 0.1.0');
    } finally {
      await stop(first);
    }

    const second = start(['--basedir', basedir, '--port', '0', '--host', '127.0.0.1']);
    try {
      await waitFor(second, /API docs: /);
      expect(second.output()).not.toContain('Admin API key');
    } finally {
      await stop(second);
    }
  });

  it('refuses to start on a bad config value, naming the key and the problem', async () => {
    writeFileSync(join(basedir, 'config.yaml'), 'server:\n  port: 99999\n');
    const run = start(['--basedir', basedir]);
    expect(await run.exited).toBe(1);
    expect(run.output()).toContain('server.port: port must not be greater than 65535');
    expect(run.output()).not.toMatch(/\n\s+at /);
  });

  it('refuses a bad --port', async () => {
    const run = start(['--basedir', basedir, '--port', 'eighty']);
    expect(await run.exited).toBe(1);
    expect(run.output()).toContain('--port: "eighty" is not a port number');
    expect(run.output()).toContain('Usage: hotend');
  });

  it('refuses an unknown option in one line, followed by the usage', async () => {
    const run = start(['--bogus']);
    expect(await run.exited).toBe(1);
    expect(run.output()).toMatch(/^hotend: Unknown option '--bogus'.*\n\nUsage: hotend/);
    expect(run.output()).not.toMatch(/\n\s+at /);
  });

  it('says in one line that the port is in use', async () => {
    writeFileSync(join(basedir, 'config.yaml'), 'serial:\n  autoconnect: false\n');
    const first = start(['--basedir', basedir, '--port', '0', '--host', '127.0.0.1']);
    try {
      const [, port] = await waitFor(first, /Hotend is running: +http:\/\/[^:]+:(\d+)/);
      const second = start(['--basedir', basedir, '--port', port!, '--host', '127.0.0.1']);
      expect(await second.exited).toBe(1);
      expect(second.output().trim()).toBe(
        `hotend: failed to start: port ${port} is already in use; choose another with --port or server.port`,
      );
    } finally {
      await stop(first);
    }
  });

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`shuts down cleanly on ${signal} to the whole process group, serial worker and printer included`, async () => {
      // The default serial setup: the simulated printer, connected through the serial worker process.
      writeFileSync(join(basedir, 'config.yaml'), 'serial:\n  port: VIRTUAL\n  autoconnect: true\n');
      const run = start(['--basedir', basedir, '--port', '0', '--host', '127.0.0.1']);
      await waitFor(run, /to "Operational"/);
      process.kill(-(run.child.pid ?? 0), signal);
      await run.exited;
      expect(run.output()).not.toMatch(/ERROR|EPIPE|failed|\n\s+at /);
      expect(readFileSync(join(basedir, 'logs', 'hotend.log'), 'utf8')).not.toMatch(/ - (ERROR|FATAL) - /);
    });
  }
});
