import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, TEST_KEYS, type TestServer } from './harness.js';
import { passiveLogin, RawPushSocket, sleep } from './push-helpers.js';

const STATE_FIELDS = [
  'currentZ',
  'job',
  'logs',
  'markings',
  'messages',
  'offsets',
  'progress',
  'resends',
  'serverTime',
  'state',
  'temps',
];

describe('push socket over the raw websocket (/sockjs/websocket)', () => {
  let server: TestServer;
  const open: RawPushSocket[] = [];

  beforeAll(async () => {
    server = await startTestServer({ printer: 'virtual' });
  });
  afterAll(() => server.close());
  afterEach(async () => {
    for (const socket of open.splice(0)) await socket.close();
  });

  const connect = async (): Promise<RawPushSocket> => {
    const socket = await RawPushSocket.open(server.url);
    open.push(socket);
    await socket.next('connected');
    return socket;
  };

  const authed = async (key: string): Promise<RawPushSocket> => {
    const socket = await connect();
    const login = await passiveLogin(server.url, key);
    socket.sendAuth(login['name'] as string, login['session'] as string);
    return socket;
  };

  it('sends `connected` first with every field, and nothing else before auth', async () => {
    const socket = await connect();
    const connected = socket.messages[0];
    expect(connected?.type).toBe('connected');
    const data = connected?.data as Record<string, unknown>;
    expect(Object.keys(data).sort()).toEqual([
      'branch',
      'config_hash',
      'debug',
      'display_version',
      'online',
      'permissions',
      'plugin_hash',
      'python_version',
      'safe_mode',
      'version',
    ]);
    expect(data['safe_mode']).toBe(false);
    const permissions = data['permissions'] as { key: string; needs: { role: string[] } }[];
    expect(permissions.find((permission) => permission.key === 'STATUS')?.needs).toEqual({ role: ['status'] });
    expect(permissions.map((permission) => permission.key)).toContain('MONITOR_TERMINAL');
    await sleep(1000);
    expect(socket.messages.map((message) => message.type)).toEqual(['connected']);
  });

  it('after auth: history (no busyFiles), then timelapse null, then current on change', async () => {
    const socket = await authed(TEST_KEYS.ADMIN);
    const history = await socket.next('history');
    expect(Object.keys(history.data as object).sort()).toEqual(STATE_FIELDS);
    expect((history.data as { state: { text: string } }).state.text).toBe('Operational');
    const afterHistory = socket.messages.slice(socket.messages.indexOf(history));
    await socket.next('timelapse');
    expect(afterHistory[1]).toMatchObject({ type: 'timelapse', data: null });

    await server.client().printer.setToolTargetTemperatures({ tool0: 42 });
    await socket.waitFor(
      () =>
        socket
          .of('current')
          .some((message) =>
            (message.data as { temps: { tool0?: { target: number } }[] }).temps.some(
              (point) => point.tool0?.target === 42,
            ),
          ),
      15_000,
      'a temperature point with target 42',
    );
    const current = socket.of('current')[0]?.data as Record<string, unknown>;
    expect(Object.keys(current).sort()).toEqual([...STATE_FIELDS, 'busyFiles'].sort());
    // A second auth with the same session registers nothing again.
    const login = await passiveLogin(server.url, TEST_KEYS.ADMIN);
    socket.sendAuth('admin', login['session'] as string);
    await sleep(700);
    expect(socket.of('history')).toHaveLength(1);
  });

  it('a key without MONITOR_TERMINAL gets neither logs nor messages', async () => {
    const socket = await authed(TEST_KEYS.STATUS);
    const history = (await socket.next('history')).data as Record<string, unknown>;
    expect(history).not.toHaveProperty('logs');
    expect(history).not.toHaveProperty('messages');
    await server.client().printer.setBedTargetTemperature(33);
    const current = (await socket.next('current', 1, 15_000)).data as Record<string, unknown>;
    expect(current).not.toHaveProperty('logs');
    expect(current).not.toHaveProperty('messages');
  });

  it('a key without STATUS is authed but never registered: no history, current or events', async () => {
    const socket = await authed(TEST_KEYS.LOG_WRITE);
    await server.client().printer.setBedTargetTemperature(34);
    await sleep(1500);
    expect(socket.messages.map((message) => message.type)).toEqual(['connected']);
  });

  it('bad auth pairs get reauthRequired stale; malformed messages are ignored and the socket stays usable', async () => {
    const socket = await connect();
    socket.sendAuth('admin', '0'.repeat(64));
    const reauth = await socket.next('reauthRequired');
    expect(reauth.data).toEqual({ reason: 'stale' });
    const login = await passiveLogin(server.url, TEST_KEYS.ADMIN);
    socket.sendAuth('status', login['session'] as string);
    await socket.next('reauthRequired', 2);
    socket.send({ auth: 'a:b:c' });
    await socket.next('reauthRequired', 3);

    for (const junk of ['{"auth":5}', '{"throttle":null}', '{"subscribe":[]}', '[]', '"x"', '{not json', '{"auth":""}'])
      socket.send(junk);
    socket.sendAuth('admin', login['session'] as string);
    await socket.next('history');
    expect(socket.closeCode).toBeUndefined();
  });

  it('throttle: factor 3 spaces `current` at least 1.5 s apart and loses no temperature point', async () => {
    const fast = await authed(TEST_KEYS.ADMIN);
    const slow = await authed(TEST_KEYS.ADMIN);
    await fast.next('history');
    await slow.next('history');
    slow.send({ throttle: 3 });
    slow.send({ throttle: 0 });
    slow.send({ throttle: 'x' });
    await sleep(200);
    const since = Date.now();
    const client = server.client();
    // M105 makes the firmware report at once: a temperature point (a change) every ~100 ms.
    for (let step = 0; step < 20; step += 1) {
      await client.control.sendGcode([`M104 S${100 + step}`, 'M105']);
      await sleep(100);
    }
    await sleep(3500);
    const times = (socket: RawPushSocket) =>
      socket
        .of('current')
        .map((message) => message.at / 1000)
        .filter((time) => time >= since / 1000);
    const gaps = (list: number[]) => list.slice(1).map((time, index) => time - (list[index] as number));
    // Arrival times jitter on a loaded machine (two sends delayed by a busy loop arrive closer together), so the
    // average spacing is held to the limit and single gaps only to most of it.
    const average = (list: number[]) => ((list.at(-1) ?? 0) - (list[0] ?? 0)) / Math.max(1, list.length - 1);
    expect(times(slow).length).toBeGreaterThanOrEqual(2);
    expect(average(times(slow))).toBeGreaterThanOrEqual(1.45);
    expect(Math.min(...gaps(times(slow)))).toBeGreaterThanOrEqual(1.0);
    expect(Math.min(...gaps(times(fast)))).toBeGreaterThanOrEqual(0.3);
    expect(times(slow).length).toBeLessThanOrEqual(times(fast).length);
    const points = (socket: RawPushSocket) =>
      socket
        .of('current')
        .flatMap((message) => (message.data as { temps: { time: number; tool0?: { target: number } }[] }).temps)
        // Points from before both sockets were registered may differ (each history holds those).
        .filter((point) => point.time > since / 1000 + 1)
        .map((point) => `${point.time}:${point.tool0?.target}`);
    // Same points in the same order; the slow socket may still owe the points of its last window.
    const slowPoints = points(slow);
    expect(slowPoints.length).toBeGreaterThanOrEqual(3);
    expect(points(fast).slice(0, slowPoints.length)).toEqual(slowPoints);
    expect(points(fast).length - slowPoints.length).toBeLessThanOrEqual(2);
    const last = (socket: RawPushSocket) =>
      (socket.of('current').at(-1)?.data as { temps: { tool0?: { target: number } }[] }).temps.at(-1);
    expect(last(slow)?.tool0?.target).toBe(119);
  });

  it('events: printer state changes arrive; UserLoggedIn only for ADMIN; ClientAuthed scrubbed for others', async () => {
    const admin = await authed(TEST_KEYS.ADMIN);
    const status = await authed(TEST_KEYS.STATUS);
    await admin.next('history');
    await status.next('history');
    await passiveLogin(server.url, TEST_KEYS.CONTROL);
    await admin.waitFor(() =>
      admin
        .events()
        .some(
          (event) => event.type === 'UserLoggedIn' && (event.payload as { username: string }).username === 'control',
        ),
    );
    const other = await authed(TEST_KEYS.STATUS);
    await other.next('history');
    await status.waitFor(() => status.events().filter((event) => event.type === 'ClientAuthed').length >= 1);
    expect(status.events().find((event) => event.type === 'ClientAuthed')?.payload).toEqual({});
    await admin.waitFor(() => admin.events().filter((event) => event.type === 'ClientAuthed').length >= 2);
    expect(
      admin
        .events()
        .filter((event) => event.type === 'ClientAuthed')
        .at(-1)?.payload,
    ).toMatchObject({ username: 'status' });
    expect(status.events().some((event) => event.type === 'UserLoggedIn')).toBe(false);

    await server.client().connection.disconnect();
    expect(await status.waitForEvent('Disconnected')).toBeNull();
    expect(status.events().some((event) => event.type === 'PrinterStateChanged')).toBe(true);
    await server.client().connection.connect({ port: 'VIRTUAL', baudrate: 115200 });
    expect(await status.waitForEvent('Connected')).toEqual({ port: 'VIRTUAL', baudrate: 115200 });
    const types = status.events().map((event) => event.type);
    expect(types.indexOf('Connecting')).toBeLessThan(types.indexOf('Connected'));
  });

  it('logout sends reauthRequired logout to the sockets of that session, and the session no longer authenticates', async () => {
    const socket = await connect();
    const login = await passiveLogin(server.url, TEST_KEYS.CONTROL);
    socket.sendAuth('control', login['session'] as string);
    await sleep(300);
    const response = await fetch(`${server.url}/api/logout`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': TEST_KEYS.CONTROL },
      body: JSON.stringify({ session: login['session'] }),
    });
    expect(response.status).toBe(200);
    expect((await socket.next('reauthRequired')).data).toEqual({ reason: 'logout' });
    socket.sendAuth('control', login['session'] as string);
    expect((await socket.next('reauthRequired', 2)).data).toEqual({ reason: 'stale' });
  });

  it('subscribe before auth shapes history; state:true turns messages off; events list filters', async () => {
    const socket = await connect();
    socket.send({ subscribe: { state: { logs: '^Recv', messages: false }, events: ['PrintDone'] } });
    socket.send({ subscribe: { state: { logs: '(' } } }); // a bad regex keeps the old subscription
    const login = await passiveLogin(server.url, TEST_KEYS.ADMIN);
    socket.sendAuth('admin', login['session'] as string);
    const history = (await socket.next('history')).data as { logs: string[]; messages: string[] };
    expect(history.logs.every((line) => line.startsWith('Recv'))).toBe(true);
    expect(history.messages).toEqual([]);
    await passiveLogin(server.url, TEST_KEYS.ADMIN);
    await sleep(500);
    expect(socket.events()).toEqual([]);

    socket.send({ subscribe: { state: false } });
    socket.send({ subscribe: { state: true, events: true } });
    await socket.next('history', 2);
  });

  it('a cross-origin websocket is refused; same origin and no Origin are accepted', async () => {
    await expect(RawPushSocket.open(server.url, { origin: 'http://evil.example' })).rejects.toThrow(/403/);
    const host = new URL(server.url).host;
    const same = await RawPushSocket.open(server.url, { origin: `http://${host}` });
    open.push(same);
    await same.next('connected');
  });
});
