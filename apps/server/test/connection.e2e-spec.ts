import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HotendClient } from '@hotend/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { Permission } from '../src/auth/permission.js';
import { expectAuthMatrix } from './auth-matrix.js';
import { startTestServer, statusOf, TEST_KEYS, type TestServer } from './harness.js';

async function waitForState(client: HotendClient, state: string): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    if ((await client.connection.getSettings()).current.state === state) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`connection never reached ${state}`);
}

describe('connection API over a real pty (firmware-sim through @serialport/bindings-cpp)', () => {
  let server: TestServer;
  let client: HotendClient;

  beforeAll(async () => {
    server = await startTestServer({ printer: 'pty' });
    client = server.client(TEST_KEYS.CONNECTION);
  });
  afterAll(async () => {
    await server.close();
  });

  it('reports the current connection and the options', async () => {
    const path = server.pty?.path ?? '';
    const settings = await server.client(TEST_KEYS.STATUS).connection.getSettings();
    expect(settings.current).toEqual({
      state: 'Operational',
      port: path,
      baudrate: 115200,
      printerProfile: '_default',
    });
    expect(settings.options.ports).toContain(path);
    expect(settings.options.ports.at(-1)).toBe('VIRTUAL');
    expect(settings.options.baudrates).toEqual([250000, 230400, 115200, 57600, 38400, 19200, 9600]);
    expect(settings.options.printerProfiles).toEqual([{ id: '_default', name: 'Default' }]);
    expect(settings.options).toMatchObject({
      portPreference: path,
      baudratePreference: 115200,
      printerProfilePreference: '_default',
    });
  });

  it('has the temperatures in GET /api/printer the moment the connection is Operational', async () => {
    await client.connection.disconnect();
    // Sockets and ptys take a moment to let go of the port lock after a close.
    await new Promise((resolve) => setTimeout(resolve, 200));
    await client.connection.connect({ port: server.pty?.path ?? '', baudrate: 115200 });
    await waitForState(server.client(), 'Operational');
    const state = await server.client().printer.getFullState();
    expect(state.temperature?.['tool0']).toMatchObject({ actual: 21.3, target: 0 });
    expect(state.temperature?.['bed']).toMatchObject({ actual: 21.3, target: 0 });
  });

  it('disconnects, reconnects and fakes an ack; the simulator saw the handshake each time', async () => {
    await client.connection.disconnect();
    expect((await server.client().connection.getSettings()).current.state).toBe('Offline');
    const before = server.simulator?.executed.length ?? 0;
    await client.connection.connect({ port: server.pty?.path ?? '', baudrate: 115200 });
    await waitForState(server.client(), 'Operational');
    const handshake = server.simulator?.executed.slice(before).map((entry) => entry.command) ?? [];
    expect(handshake.slice(0, 2)).toEqual(['M110 N0', 'M110 N0']);
    expect(handshake).toContain('M115');
    await client.connection.fakeAck();
    expect((await server.client().connection.getSettings()).current.state).toBe('Operational');
  });

  it('answers 400 with OctoPrint messages for bad connect parameters', async () => {
    expect(await statusOf(client.connection.connect({ port: '/dev/nonexistent0' }))).toEqual({
      status: 400,
      body: { error: expect.stringContaining('port is invalid: /dev/nonexistent0 does not exist') as unknown },
    });
    expect(await statusOf(client.connection.connect({ baudrate: 12345 }))).toEqual({
      status: 400,
      body: { error: 'baudrate is invalid' },
    });
    expect(await statusOf(client.connection.connect({ printerProfile: 'nope' }))).toEqual({
      status: 400,
      body: { error: 'printerProfile is invalid' },
    });
    const unknown = await fetch(`${server.url}/api/connection`, {
      method: 'POST',
      headers: { 'x-api-key': TEST_KEYS.CONNECTION, 'content-type': 'application/json' },
      body: JSON.stringify({ command: 'explode' }),
    });
    expect(unknown.status).toBe(400);
    expect(((await unknown.json()) as { error: string }).error).toContain('command');
  });

  it('saves the preferences and autoconnect when asked', async () => {
    await client.connection.connect({ port: 'VIRTUAL', baudrate: 250000, save: true, autoconnect: true });
    await waitForState(server.client(), 'Operational');
    const saved = parse(readFileSync(join(server.basedir, 'config.yaml'), 'utf8')) as {
      serial: { port: string; baudrate: number; autoconnect: boolean };
    };
    expect(saved.serial).toMatchObject({ port: 'VIRTUAL', baudrate: 250000, autoconnect: true });
    expect((await server.client().connection.getSettings()).current).toMatchObject({
      port: 'VIRTUAL',
      baudrate: 250000,
    });
  });

  it('refuses callers without the permission', async () => {
    await expectAuthMatrix(server.url, { method: 'GET', path: '/api/connection', permission: Permission.STATUS });
    await expectAuthMatrix(server.url, {
      method: 'POST',
      path: '/api/connection',
      permission: Permission.CONNECTION,
      body: { command: 'fake_ack' },
    });
  });
});

describe('connection API before any connection', () => {
  it('says Closed with no port, like OctoPrint', async () => {
    const server = await startTestServer();
    try {
      const settings = await server.client(TEST_KEYS.STATUS).connection.getSettings();
      expect(settings.current).toEqual({ state: 'Closed', port: null, baudrate: null, printerProfile: '_default' });
      expect(settings.options.ports).toContain('VIRTUAL');
    } finally {
      await server.close();
    }
  });

  it('brings up the virtual printer and disconnects cleanly on shutdown', async () => {
    const server = await startTestServer({ printer: 'virtual' });
    try {
      expect((await server.client().connection.getSettings()).current.state).toBe('Operational');
      // serial.log holds the conversation.
      let serialLog = '';
      for (let attempt = 0; attempt < 40 && !serialLog.includes('Recv: ok'); attempt += 1) {
        await new Promise((resolve) => setTimeout(resolve, 25));
        serialLog = readFileSync(join(server.basedir, 'logs', 'serial.log'), 'utf8');
      }
      expect(serialLog).toContain('Send: N0 M110 N0*125');
      expect(serialLog).toContain('Send: M115');
      expect(serialLog).toContain('Recv: ok');
    } finally {
      await server.close();
    }
  });

  it('autoconnects to VIRTUAL on start when configured (the default config)', async () => {
    const server = await startTestServer({ config: { serial: { port: 'VIRTUAL', autoconnect: true } } });
    try {
      await waitForState(server.client(), 'Operational');
      expect((await server.client().connection.getSettings()).current.port).toBe('VIRTUAL');
    } finally {
      await server.close();
    }
  });
});
