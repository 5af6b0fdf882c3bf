import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SERVER_MAIN = fileURLToPath(new URL('../../server/dist/main.js', import.meta.url));

export const KEYS = {
  admin: 'web-e2e-admin-key-0123456789',
  viewer: 'web-e2e-viewer-key-0123456789',
  builds: 'web-e2e-builds-key-0123456789',
} as const;

export interface RunningServer {
  readonly url: string;
  readonly basedir: string;
  stop(): Promise<void>;
}

/**
 * Hotend as `npm start` runs it (the built server, serving the built dashboard, with the simulated printer on
 * port VIRTUAL), in a scratch data folder on a free port. `config` is merged over the defaults (YAML accepts JSON).
 */
export async function startServer(config: Record<string, unknown> = {}): Promise<RunningServer> {
  const basedir = mkdtempSync(join(tmpdir(), 'hotend-web-e2e-'));
  const base = {
    api: {
      keys: [
        { name: 'admin', key: KEYS.admin, permissions: ['ADMIN'] },
        { name: 'viewer', key: KEYS.viewer, permissions: ['STATUS'] },
        { name: 'builds', key: KEYS.builds, permissions: ['BUILDLOGS_READ'] },
      ],
    },
    serial: { port: 'VIRTUAL', baudrate: 115200, autoconnect: true },
  };
  writeFileSync(join(basedir, 'config.yaml'), JSON.stringify({ ...base, ...config }, null, 2), { mode: 0o600 });
  const child = spawn(process.execPath, [SERVER_MAIN, '--basedir', basedir, '--host', '127.0.0.1', '--port', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the server did not start:\n${output}`)), 60_000);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const match = /Hotend is running: +(http:\/\/\S+)/.exec(output);
      if (match?.[1] !== undefined) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the server exited with ${code}:\n${output}`));
    });
  });
  return {
    url,
    basedir,
    stop: async () => {
      await stopChild(child);
      rmSync(basedir, { recursive: true, force: true });
    },
  };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}
