import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, TEST_KEYS, type TestServer } from './harness.js';
import { passiveLogin, type PushMessage, RawPushSocket } from './push-helpers.js';

interface StateFields {
  currentZ: number | null;
  offsets: Record<string, number>;
  resends: { count: number; transmitted: number; ratio: number };
}

const fieldsOf = (message: PushMessage): StateFields => message.data as StateFields;

describe('currentZ, offsets and resends on the push socket (firmware-sim on a real pty)', () => {
  let server: TestServer;
  let socket: RawPushSocket;

  /** How many `current` messages arrived so far: a mark taken before an action, for `nextCurrent`. */
  const mark = (): number => socket.of('current').length;

  /** Waits for a `current` after `seen` that satisfies `predicate`, and answers its fields. */
  const nextCurrent = async (
    seen: number,
    predicate: (fields: StateFields) => boolean,
    what: string,
  ): Promise<StateFields> => {
    const match = (): PushMessage | undefined =>
      socket
        .of('current')
        .slice(seen)
        .find((message) => predicate(fieldsOf(message)));
    await socket.waitFor(
      () => match() !== undefined,
      15_000,
      `${what} (last: ${JSON.stringify(socket.of('current').at(-1)?.data ?? null)})`,
    );
    return fieldsOf(match() as PushMessage);
  };

  beforeAll(async () => {
    server = await startTestServer({ printer: 'pty' });
    socket = await RawPushSocket.open(server.url);
    await socket.next('connected');
    const login = await passiveLogin(server.url, TEST_KEYS.ADMIN);
    socket.sendAuth(login['name'] as string, login['session'] as string);
    await socket.next('history');
  });
  afterAll(async () => {
    await socket.close();
    await server.close();
  });

  it('history: no Z before a move named one, no offsets, the handshake lines counted without resends', () => {
    const history = fieldsOf(socket.of('history')[0] as PushMessage);
    expect(history.currentZ).toBeNull();
    expect(history.offsets).toEqual({});
    expect(history.resends.count).toBe(0);
    expect(history.resends.transmitted).toBeGreaterThan(0);
    expect(history.resends.ratio).toBe(0);
  });

  it('currentZ follows the Z of G0/G1 lines sent; moves without Z keep it', async () => {
    let seen = mark();
    await server.client().control.sendGcode('G1 Z5.2 F600');
    expect((await nextCurrent(seen, (fields) => fields.currentZ !== null, 'a current with a Z')).currentZ).toBe(5.2);

    seen = mark();
    await server.client().control.sendGcode(['G0 X10 Y10', 'G0 Z0.4', 'G1 X20']);
    const lowered = await nextCurrent(seen, (fields) => fields.currentZ !== 5.2, 'a current with the new Z');
    expect(lowered.currentZ).toBe(0.4);

    seen = mark();
    const { transmitted } = lowered.resends;
    await server.client().control.sendGcode('G1 X30');
    const later = await nextCurrent(seen, (fields) => fields.resends.transmitted > transmitted, 'the move counted');
    expect(later.currentZ).toBe(0.4);
  });

  it('offsets set through the API reach a current, as GET /api/printer shows them', async () => {
    let seen = mark();
    await server.client().printer.setToolTemperatureOffsets({ tool0: 5 });
    const tool = await nextCurrent(seen, (fields) => 'tool0' in fields.offsets, 'the tool offset');
    expect(tool.offsets).toEqual({ tool0: 5 });

    seen = mark();
    await server.client().printer.setBedTemperatureOffset(-3.5);
    const both = await nextCurrent(seen, (fields) => 'bed' in fields.offsets, 'the bed offset');
    expect(both.offsets).toEqual({ tool0: 5, bed: -3.5 });
    const state = (await (
      await fetch(`${server.url}/api/printer`, { headers: { 'x-api-key': TEST_KEYS.ADMIN } })
    ).json()) as { temperature: Record<string, { offset: number }> };
    expect(state.temperature['tool0']?.offset).toBe(5);
    expect(state.temperature['bed']?.offset).toBe(-3.5);
  });

  it('resends count the resend requests of a noisy line, against the lines transmitted', async () => {
    const seen = mark();
    const before = fieldsOf(socket.of('current').at(-1) as PushMessage).resends;
    const simulator = server.simulator;
    if (simulator === undefined) throw new Error('the pty harness has a simulator');
    simulator.faults.noise(0.1, 7);
    try {
      // The API answers once the lines are queued: the noise stays on until the simulator executed the last one.
      await server.client().control.sendGcode(Array.from({ length: 200 }, (_, index) => `M117 R${index}`));
      await socket.waitFor(
        () => simulator.executed.some((entry) => entry.command === 'M117 R199'),
        15_000,
        'the last line executed',
      );
    } finally {
      simulator.faults.noise(0, 7);
    }
    const after = await nextCurrent(
      seen,
      (fields) => fields.resends.count > 0 && fields.resends.transmitted >= before.transmitted + 200,
      'resends counted',
    );
    // Resent lines are transmitted again (duplicate requests from lines in flight are counted but not served).
    expect(after.resends.transmitted).toBeGreaterThan(before.transmitted + 200);
    expect(after.resends.ratio).toBe(Math.floor((100 * after.resends.count) / after.resends.transmitted));
    expect(after.resends.ratio).toBeGreaterThan(0);
  });
});
