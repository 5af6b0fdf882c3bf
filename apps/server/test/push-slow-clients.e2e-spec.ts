import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PushGateway } from '../src/push/push.gateway.js';
import { startTestServer, TEST_KEYS, type TestServer } from './harness.js';
import { passiveLogin, RawPushSocket, sleep } from './push-helpers.js';

const LINES = 20_000;
const LIMIT = 32 * 1024;

const logsOf = (socket: RawPushSocket): string[] =>
  socket.of('current').flatMap((message) => (message.data as { logs?: string[] }).logs ?? []);
const numbers = (lines: readonly string[], pattern: RegExp): number[] =>
  lines.filter((line) => pattern.test(line)).map((line) => Number(/line-(\d+)/.exec(line)?.[1]));

/** A SockJS xhr-polling client by hand: polls until it has its `history`, then never polls again. */
async function xhrClientThatStopsPolling(baseUrl: string, key: string): Promise<void> {
  const session = `${baseUrl}/sockjs/000/slowxhr${Date.now() % 1000}`;
  const poll = async (): Promise<string> => (await fetch(`${session}/xhr`, { method: 'POST' })).text();
  expect(await poll()).toBe('o\n');
  expect(await poll()).toMatch(/^a\[\{"connected"/);
  const login = await passiveLogin(baseUrl, key);
  const auth = JSON.stringify([JSON.stringify({ auth: `${String(login['name'])}:${String(login['session'])}` })]);
  expect((await fetch(`${session}/xhr_send`, { method: 'POST', body: auth })).status).toBe(204);
  for (let polls = 0; !(await poll()).includes('{"history"'); polls += 1) {
    if (polls > 20) throw new Error('no history over xhr');
  }
}

/**
 * Clients that stop reading while the comm streams at full rate into firmware-sim on a real pty: a websocket whose
 * TCP socket is paused, an xhr-polling client that stops polling, and a websocket that disconnects mid-stream.
 * The reading client gets every line in order, the printer runs every command, the stalled clients are cut off,
 * and what the server holds for them never exceeds the limit plus one message each.
 */
describe('slow and dead push clients (firmware-sim on a real pty)', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ printer: 'pty' });
  });
  afterAll(() => server.close());

  const authed = async (): Promise<RawPushSocket> => {
    const socket = await RawPushSocket.open(server.url);
    await socket.next('connected');
    const login = await passiveLogin(server.url, TEST_KEYS.ADMIN);
    socket.sendAuth(login['name'] as string, login['session'] as string);
    await socket.next('history');
    return socket;
  };

  it('a paused TCP reader and a stopped xhr poller are cut off, a dead socket goes; the reader and the printer never wait', async () => {
    const gateway = server.app.get(PushGateway);
    gateway.limits.maxBufferedBytes = LIMIT;
    const reader = await authed();
    const stalled = await authed();
    const dead = await authed();
    await xhrClientThatStopsPolling(server.url, TEST_KEYS.ADMIN);
    expect(gateway.clientCount).toBe(4);
    // The client's kernel keeps what already arrived; from now on its socket is not read at all.
    stalled.ws.pause();

    let maxBuffered = 0;
    const sampler = setInterval(() => (maxBuffered = Math.max(maxBuffered, gateway.bufferedBytes)), 10);
    const commands = Array.from({ length: LINES }, (_, index) => `M118 line-${index} ${'x'.repeat(60)}`);
    const executed = (): number =>
      server.simulator?.executed.filter((entry) => entry.command.startsWith('M118 line-')).length ?? 0;
    const client = server.client();
    try {
      for (let start = 0; start < LINES; start += 500) {
        // The API queues at most 1000 lines: keep some room for the ones the firmware has not acknowledged yet.
        while (executed() < start - 300) await sleep(10);
        await client.control.sendGcode(commands.slice(start, start + 500));
        if (start === 1000) dead.ws.terminate();
      }
      await reader.waitFor(
        () => logsOf(reader).some((line) => line.startsWith(`Recv: line-${LINES - 1} `)),
        60_000,
        'the last line at the reader',
      );
    } finally {
      clearInterval(sampler);
    }

    const every = commands.map((_, index) => index);
    expect(numbers(logsOf(reader), /^Send: N\d+ M118 line-/)).toEqual(every);
    expect(numbers(logsOf(reader), /^Recv: line-/)).toEqual(every);
    expect(executed()).toBe(LINES);

    // Only the reader is left: the paused socket and the silent xhr session were cut off (or, for xhr, expired).
    await reader.waitFor(() => gateway.clientCount === 1, 10_000, 'the slow clients to be cut off');
    const largestMessage = Math.max(...reader.of('current').map((message) => JSON.stringify(message.data).length));
    expect(maxBuffered).toBeLessThanOrEqual(2 * (LIMIT + largestMessage + 64));
    stalled.ws.resume();
    await stalled.waitFor(() => stalled.closeCode !== undefined, 10_000, 'the stalled socket to see its close');
    // It never got lines out of order or twice before the cut.
    const partial = numbers(logsOf(stalled), /^Recv: line-/);
    expect(partial).toEqual(every.slice(0, partial.length));
    expect(partial.length).toBeLessThan(LINES);
    await reader.close();
  }, 120_000);
});
