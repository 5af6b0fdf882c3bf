import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PushGateway } from '../src/push/push.gateway.js';
import { startTestServer, TEST_KEYS, type TestServer } from './harness.js';
import { passiveLogin, RawPushSocket, sleep } from './push-helpers.js';

const LINES = 1500;

/** Every terminal line a socket received in `current` messages, in order. */
const logsOf = (socket: RawPushSocket): string[] =>
  socket.of('current').flatMap((message) => (message.data as { logs?: string[] }).logs ?? []);

describe('terminal lines on the push socket (firmware-sim on a real pty)', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ printer: 'pty' });
  });
  afterAll(() => server.close());

  const authed = async (key = TEST_KEYS.ADMIN): Promise<RawPushSocket> => {
    const socket = await RawPushSocket.open(server.url);
    await socket.next('connected');
    const login = await passiveLogin(server.url, key);
    socket.sendAuth(login['name'] as string, login['session'] as string);
    await socket.next('history');
    return socket;
  };

  it('every line sent and received reaches a subscriber exactly once, in order, while a dead and a stalled client do not hold anything up', async () => {
    const reader = await authed();
    const dead = await authed();
    const stalled = await authed();
    // A tiny allowance, so the stalled client is cut off within this test rather than after megabytes.
    server.app.get(PushGateway).limits.maxBufferedBytes = 16 * 1024;
    stalled.ws.pause();

    const commands = Array.from({ length: LINES }, (_, index) => `M118 line-${index} ${'x'.repeat(40)}`);
    // The API takes at most 1000 lines per request and queues at most 1000 until their ok arrives: stream in chunks,
    // keeping a margin of 100 for oks still on their way after the simulator executed the line.
    const client = server.client();
    const executed = (): number =>
      server.simulator?.executed.filter((entry) => entry.command.startsWith('M118 line-')).length ?? 0;
    for (let start = 0; start < LINES; start += 500) {
      while (executed() < start - 400) await sleep(10);
      await client.control.sendGcode(commands.slice(start, start + 500));
      if (start === 0) dead.ws.terminate();
    }

    await reader.waitFor(
      () => logsOf(reader).some((line) => line.startsWith(`Recv: line-${LINES - 1} `)),
      15_000,
      'the last line',
    );
    const logs = logsOf(reader);
    const sent = logs.filter((line) => / M118 line-\d+ /.test(line));
    const received = logs.filter((line) => /^Recv: line-\d+ /.test(line));
    expect(sent.map((line) => Number(/line-(\d+)/.exec(line)?.[1]))).toEqual(commands.map((_, index) => index));
    expect(received.map((line) => Number(/line-(\d+)/.exec(line)?.[1]))).toEqual(commands.map((_, index) => index));
    expect(sent[0]).toMatch(/^Send: N\d+ M118 line-0 x+\*\d+$/);
    // `messages` are the firmware's lines without the prefix, also complete.
    const messages = reader
      .of('current')
      .flatMap((message) => (message.data as { messages?: string[] }).messages ?? []);
    expect(messages.filter((line) => line.startsWith('line-'))).toHaveLength(LINES);
    // Every line the simulator executed was streamed: the comm was never held back by the stalled socket.
    expect(executed()).toBe(LINES);

    // The stalled client either still had room in the kernel's buffers (then it gets every line, in order, once it
    // reads again) or was cut off (then its socket is closed); it never lost lines silently.
    stalled.ws.resume();
    await stalled.waitFor(
      () =>
        stalled.closeCode !== undefined || logsOf(stalled).some((line) => line.startsWith(`Recv: line-${LINES - 1} `)),
      15_000,
      'the stalled client to catch up or be closed',
    );
    if (stalled.closeCode === undefined)
      expect(logsOf(stalled).filter((line) => line.includes('line-'))).toEqual(
        logs.filter((line) => line.includes('line-')),
      );
    await reader.close();
  });

  it('history holds the last 300 lines, for a key with MONITOR_TERMINAL', async () => {
    const socket = await authed(TEST_KEYS.ADMIN);
    const history = socket.of('history')[0]?.data as { logs: string[]; messages: string[] };
    expect(history.logs.length).toBeLessThanOrEqual(300);
    expect(history.logs.length).toBeGreaterThan(0);
    await socket.close();
  });
});
