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
  const child = spawn(process.execPath, [MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
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

  it('prints a generated admin key and the Swagger UI URL on first start only, and the key works', async () => {
    writeFileSync(join(basedir, 'config.yaml'), 'serial:\n  autoconnect: false\n');
    const first = start(['--basedir', basedir, '--port', '0', '--host', '127.0.0.1']);
    try {
      const [, url] = await waitFor(first, /Swagger UI: (http:\/\/[^/]+)\/api\/docs/);
      const [, key] = await waitFor(first, /saved it to .*config\.yaml:\n\s+(\S+)\n/);
      expect(readFileSync(join(basedir, 'config.yaml'), 'utf8')).toContain(key);
      const response = await fetch(`${url}/api/version`, { headers: { 'x-api-key': key! } });
      expect(response.status).toBe(200);
      expect(((await response.json()) as { text: string }).text).toBe('Hotend 0.1.0');
    } finally {
      await stop(first);
    }

    const second = start(['--basedir', basedir, '--port', '0', '--host', '127.0.0.1']);
    try {
      await waitFor(second, /Swagger UI: /);
      expect(second.output()).not.toContain('generated an admin API key');
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
  });
});
