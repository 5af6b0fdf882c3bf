import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type PtySimulator, startPtySimulator } from '@hotend/firmware-sim';
import type { HotendClient } from '@hotend/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, statusOf, TEST_KEYS, type TestServer } from './harness.js';

async function waitForState(client: HotendClient, state: string): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    if ((await client.connection.getSettings()).current.state === state) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`connection never reached ${state}`);
}

/** The README's flow: `npx hotend-firmware-sim --pty --link <path>`, then connect to that path, nothing in config. */
describe('connecting to a serial device path that no config names', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'hotend-ports-'));
  let pty: PtySimulator;
  let server: TestServer;
  let client: HotendClient;

  beforeAll(async () => {
    pty = await startPtySimulator({ resetOnOpen: false, link: join(scratch, 'printer') });
    mkdirSync(join(scratch, 'by-id'));
    for (const name of ['usb-Marlin_1', 'usb-Marlin_2', 'notes.txt']) writeFileSync(join(scratch, 'by-id', name), '');
    server = await startTestServer({
      config: { serial: { autoconnect: false, additionalPorts: [join(scratch, 'by-id', 'usb-*'), '/dev/ttyAMA9'] } },
    });
    client = server.client(TEST_KEYS.CONNECTION);
  });
  afterAll(async () => {
    await server.close();
    await pty.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('connects to the link the simulator made, then to the /dev/pts path it printed', async () => {
    const settings = await server.client(TEST_KEYS.STATUS).connection.getSettings();
    expect(settings.options.ports).not.toContain(join(scratch, 'printer'));

    await client.connection.connect({ port: join(scratch, 'printer'), baudrate: 115200 });
    await waitForState(server.client(), 'Operational');
    expect((await server.client().connection.getSettings()).current.port).toBe(join(scratch, 'printer'));

    await client.connection.disconnect();
    await client.connection.connect({ port: pty.path, baudrate: 115200 });
    await waitForState(server.client(), 'Operational');
    expect(pty.sim.executed.filter((entry) => entry.command === 'M115').length).toBeGreaterThanOrEqual(2);
    await client.connection.disconnect();
  });

  it('answers 400 saying what is wrong for a path that is not there or not a device', async () => {
    const missing = join(scratch, 'ttyUSB7');
    expect(await statusOf(client.connection.connect({ port: missing }))).toEqual({
      status: 400,
      body: {
        error: expect.stringMatching(
          new RegExp(`^port is invalid: ${missing} does not exist\\. GET /api/connection`),
        ) as unknown,
      },
    });
    expect(await statusOf(client.connection.connect({ port: join(scratch, 'by-id', 'notes.txt') }))).toEqual({
      status: 400,
      body: { error: `port is invalid: ${join(scratch, 'by-id', 'notes.txt')} is not a serial device` },
    });
    // Still the disconnected state the previous test left: nothing was attempted.
    expect((await server.client().connection.getSettings()).current.state).toBe('Offline');
  });

  it('expands additionalPorts globs and lists plain entries as written', async () => {
    const { ports } = (await server.client(TEST_KEYS.STATUS).connection.getSettings()).options;
    expect(ports).toEqual(
      expect.arrayContaining([
        join(scratch, 'by-id', 'usb-Marlin_1'),
        join(scratch, 'by-id', 'usb-Marlin_2'),
        '/dev/ttyAMA9',
      ]),
    );
    expect(ports.filter((port) => port.includes('*') || port.endsWith('notes.txt'))).toEqual([]);
  });
});
