import type { HotendClient, PushEventName, SocketMessage } from '@hotend/sdk';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PushGateway } from '../src/push/push.gateway.js';
import { startTestServer, TEST_KEYS, type TestServer } from './harness.js';
import { sleep } from './push-helpers.js';

/** Records what an SDK socket received. */
function record(client: HotendClient): {
  types: string[];
  messages: SocketMessage[];
  events: { name: PushEventName; payload: unknown }[];
} {
  const seen = {
    types: [] as string[],
    messages: [] as SocketMessage[],
    events: [] as { name: PushEventName; payload: unknown }[],
  };
  client.socket.onMessage('*', (message) => {
    seen.types.push(message.event);
    seen.messages.push(message);
  });
  client.socket.onEvent('*', (payload, name) => seen.events.push({ name, payload }));
  return seen;
}

async function until(condition: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await sleep(20);
  }
}

describe('SDK client.socket with the real sockjs-client in Node', () => {
  let server: TestServer;
  const clients: HotendClient[] = [];

  beforeAll(async () => {
    server = await startTestServer({ printer: 'virtual' });
  });
  afterAll(() => server.close());
  afterEach(() => {
    for (const client of clients.splice(0)) client.socket.disconnect();
  });

  const sdk = (key: string | null = TEST_KEYS.ADMIN): HotendClient => {
    const client = server.client(key);
    clients.push(client);
    return client;
  };

  for (const transports of [['websocket'], ['xhr-streaming'], ['xhr-polling']]) {
    it(`${transports[0]}: connected, passive login + auth, history, timelapse, then current with a new target`, async () => {
      const client = sdk();
      const seen = record(client);
      let timedOut = false;
      client.socket.onConnectTimeout = () => (timedOut = true);
      client.socket.connect({ transports, connectTimeout: 5000 });
      await until(() => seen.types.includes('history'), 'history');
      // Events fired before auth (this key's own UserLoggedIn) come first, from the socket's backlog.
      expect(seen.types.filter((type) => type !== 'event').slice(0, 3)).toEqual(['connected', 'history', 'timelapse']);
      const history = seen.messages.find((message) => message.event === 'history') as SocketMessage<'history'>;
      expect(history.data.state.text).toBe('Operational');
      expect(typeof seen.messages[0]?.data).toBe('object');

      await client.printer.setToolTargetTemperatures({ tool0: 55 });
      await until(
        () =>
          seen.messages.some(
            (message) =>
              message.event === 'current' &&
              (message as SocketMessage<'current'>).data.temps.some(
                (point) => (point['tool0'] as { target: number } | undefined)?.target === 55,
              ),
          ),
        'a current with target 55',
      );
      expect(timedOut).toBe(false);
    });
  }

  it('events: Disconnected and Connected arrive typed through onEvent', async () => {
    const client = sdk();
    const connectedPayloads: unknown[] = [];
    client.socket.onEvent('Connected', (payload) => connectedPayloads.push(payload.port));
    const seen = record(client);
    client.socket.connect();
    await until(() => seen.types.includes('history'), 'history');
    await client.connection.disconnect();
    await until(() => seen.events.some((event) => event.name === 'Disconnected'), 'Disconnected');
    await client.connection.connect({ port: 'VIRTUAL', baudrate: 115200 });
    await until(() => connectedPayloads.length > 0, 'Connected');
    expect(connectedPayloads).toEqual(['VIRTUAL']);
  });

  it('setThrottle(3) spaces current messages 1.5 s apart', async () => {
    const client = sdk();
    const arrivals: number[] = [];
    client.socket.onMessage('current', () => arrivals.push(Date.now()));
    const seen = record(client);
    client.socket.connect();
    await until(() => seen.types.includes('history'), 'history');
    client.socket.setThrottle(3);
    await sleep(100);
    const since = Date.now();
    for (let step = 0; step < 25; step += 1) {
      await client.control.sendGcode([`M140 S${40 + step}`, 'M105']);
      await sleep(100);
    }
    await sleep(2000);
    const recent = arrivals.filter((time) => time >= since);
    expect(recent.length).toBeGreaterThanOrEqual(2);
    const gaps = recent.slice(1).map((time, index) => time - (recent[index] as number));
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(1400);
  });

  it("OctoPrint's automatic throttling: a handler slower than 500 ms asks for factor 2, the server spaces current 1 s apart, fast handlers bring it back to 1", async () => {
    const client = sdk();
    const seen = record(client);
    let slow = false;
    const tooLow: number[] = [];
    const tooHigh: number[] = [];
    client.socket.onRateTooLow = (measured) => tooLow.push(measured);
    client.socket.onRateTooHigh = (measured) => tooHigh.push(measured);
    const arrivals: { at: number; factor: number }[] = [];
    client.socket.onMessage('current', () => {
      arrivals.push({ at: Date.now(), factor: client.socket.throttleFactor });
      // A UI busy rendering: the handler blocks for 600 ms (more than 1 × 500 ms).
      const until = Date.now() + 600;
      if (slow) while (Date.now() < until);
    });
    // A short window, so three fast messages in a row are enough to speed up again.
    client.socket.connect({ rateSlidingWindowSize: 3 });
    await until(() => seen.types.includes('history'), 'history');
    const admin = server.client();
    let step = 0;
    const traffic = setInterval(() => {
      step += 1;
      void admin.control.sendGcode([`M140 S${30 + (step % 20)}`, 'M105']).catch(() => undefined);
    }, 100);
    try {
      slow = true;
      await until(() => client.socket.throttleFactor === 2, 'the client to ask for factor 2');
      slow = false;
      expect(tooLow[0]).toBeGreaterThan(500);
      const slowedAt = arrivals.length;
      await until(() => arrivals.slice(slowedAt).filter((arrival) => arrival.factor === 2).length >= 3, '3 currents');
      // While the factor is 2 the server sends at most one `current` per second (the first gap may still be 0.5 s:
      // that `current` was due before the throttle message arrived).
      const atFactor2 = arrivals.slice(slowedAt).filter((arrival) => arrival.factor === 2);
      const gaps = atFactor2.slice(2).map((arrival, index) => arrival.at - (atFactor2[index + 1]?.at ?? 0));
      expect(Math.min(...gaps)).toBeGreaterThanOrEqual(900);
      await until(() => client.socket.throttleFactor === 1, 'the client to ask for factor 1 again');
      expect(tooHigh.length).toBeGreaterThan(0);
    } finally {
      clearInterval(traffic);
    }
  });

  it('a key without STATUS gets connected and nothing more', async () => {
    const client = sdk(TEST_KEYS.CONTROL);
    const seen = record(client);
    client.socket.connect();
    await until(() => seen.types.includes('connected'), 'connected');
    await client.printer.setToolTargetTemperatures({ tool0: 60 });
    await sleep(1500);
    expect(seen.types).toEqual(['connected']);
  });

  it('reconnects after the server drops the socket, and logs in again; disconnect() does not reconnect', async () => {
    const client = sdk();
    const seen = record(client);
    const drops: number[] = [];
    client.socket.onDisconnected = (code) => drops.push(code);
    client.socket.connect();
    await until(() => seen.types.includes('history'), 'history');
    server.app.get(PushGateway).closeAll();
    await until(() => seen.types.filter((type) => type === 'history').length === 2, 'a second history');
    expect(drops).toEqual([3000]);
    expect(seen.types.filter((type) => type === 'connected')).toHaveLength(2);
    client.socket.disconnect();
    await sleep(1200);
    expect(seen.types.filter((type) => type === 'connected')).toHaveLength(2);
  });
});
