import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { type MarlinSim, type PtySimulator, startPtySimulator } from '@hotend/firmware-sim';
import { HotendApiError, HotendClient } from '@hotend/sdk';
import { stringify } from 'yaml';
import { createHotendApp } from '../src/app.factory.js';
import { Permission } from '../src/auth/permission.js';
import type { CommChannelFactory } from '../src/comm/comm-channel.js';
import { PrinterCommService } from '../src/comm/printer-comm.service.js';
import { loadConfig } from '../src/config/config.loader.js';

/** A fixed key per permission, named after it in lower case: `keys.STATUS`, `keys.ADMIN`, ... */
export const TEST_KEYS: Readonly<Record<Permission, string>> = Object.fromEntries(
  Object.values(Permission).map((permission) => [permission, `test-key-${permission.toLowerCase()}-0123456789`]),
) as Record<Permission, string>;

export interface TestServer {
  readonly app: NestFastifyApplication;
  readonly url: string;
  readonly basedir: string;
  /** An SDK client with the given key (admin by default; `null` for none). */
  client(key?: string | null): HotendClient;
  /** With `printer: 'pty'`: the simulator the server is connected to (its `executed` log is the oracle). */
  readonly simulator?: MarlinSim;
  /** With `printer: 'pty'`: the pseudo-terminal the server opened through `@serialport/bindings-cpp`. */
  readonly pty?: PtySimulator;
  close(): Promise<void>;
}

export interface TestServerOptions {
  /** Sections merged over the test defaults (keys for every permission, no printer autoconnect). */
  config?: Record<string, unknown>;
  /** Called with the base directory before the app starts, e.g. to place files. */
  prepare?: (basedir: string) => void;
  /** Runs on the app after it is created and before it listens, e.g. to override a provider's setup. */
  beforeListen?: (app: NestFastifyApplication) => Promise<void> | void;
  /**
   * Attach a simulated printer and wait until it is operational: `virtual` (port VIRTUAL, the simulator inside the
   * comm process) or `pty` (a firmware-sim in this process on a real pseudo-terminal, which the comm process opens
   * through the native serial binding).
   */
  printer?: 'virtual' | 'pty';
  /**
   * Replaces the comm channel. Unset, the server runs as in production: the comm layer in its own child process
   * (started from the TypeScript sources through tsx).
   */
  commChannel?: CommChannelFactory;
}

/** The real Hotend app, on a free port, in a scratch base directory. */
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const basedir = mkdtempSync(join(tmpdir(), 'hotend-test-'));
  const keys = Object.values(Permission).map((permission) => ({
    name: permission.toLowerCase(),
    key: TEST_KEYS[permission],
    permissions: [permission],
  }));
  const pty = options.printer === 'pty' ? await startPtySimulator({ resetOnOpen: false }) : undefined;
  const printerPort = options.printer === 'pty' ? pty?.path : options.printer === 'virtual' ? 'VIRTUAL' : undefined;
  const serial = printerPort === undefined ? { autoconnect: false } : { autoconnect: false, port: printerPort };
  const config: Record<string, unknown> & { serial?: unknown } = {
    api: { keys },
    serial: pty === undefined ? serial : { ...serial, additionalPorts: [pty.path] },
    ...options.config,
  };
  writeFileSync(join(basedir, 'config.yaml'), stringify(config), { mode: 0o600 });
  options.prepare?.(basedir);
  const app = await createHotendApp(loadConfig(basedir), {
    logger: false,
    ...(options.commChannel === undefined ? {} : { commChannel: options.commChannel }),
  });
  await options.beforeListen?.(app);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.getHttpServer().address();
  if (address === null || typeof address !== 'object') throw new Error('server has no address');
  const url = `http://127.0.0.1:${address.port}`;
  const simulator: MarlinSim | undefined = pty?.sim;
  if (printerPort !== undefined) {
    await app.get(PrinterCommService).connect({ port: printerPort, baudrate: 115200 });
  }
  return {
    app,
    url,
    basedir,
    ...(simulator === undefined ? {} : { simulator }),
    ...(pty === undefined ? {} : { pty }),
    client: (key = TEST_KEYS.ADMIN) => new HotendClient({ baseUrl: url, ...(key === null ? {} : { apiKey: key }) }),
    close: async () => {
      await app.close();
      await pty?.close();
      rmSync(basedir, { recursive: true, force: true });
    },
  };
}

/** The HTTP status and error body a call ends with (204 and no body when it succeeds), for asserting refusals. */
export async function statusOf(promise: Promise<unknown>): Promise<{ status: number; body: unknown }> {
  try {
    await promise;
    return { status: 204, body: undefined };
  } catch (error) {
    if (error instanceof HotendApiError) return { status: error.status, body: error.body };
    throw error;
  }
}
