import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, TEST_KEYS, type TestServer } from './harness.js';

const LIMIT = 40;

describe('command queue limit (serial.commandQueueLimit)', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ printer: 'pty', config: { serial: { commandQueueLimit: LIMIT } } });
  });
  afterAll(() => server.close());

  const sendLines = (count: number, prefix = 'M117 line') =>
    fetch(`${server.url}/api/printer/command`, {
      method: 'POST',
      headers: { 'x-api-key': TEST_KEYS.CONTROL, 'content-type': 'application/json' },
      body: JSON.stringify({ commands: Array.from({ length: count }, (_, i) => `${prefix} ${i}`) }),
    });

  it('answers 429 with a clear message while the printer has not worked through the queue, and 204 again after', async () => {
    const simulator = server.simulator;
    if (simulator === undefined) throw new Error('no simulator');
    simulator.faults.stallRx();
    try {
      for (let request = 0; request < LIMIT / 10; request += 1) expect((await sendLines(10)).status).toBe(204);
      const refused = await sendLines(1);
      expect(refused.status).toBe(429);
      expect(await refused.json()).toEqual({
        error: `The command queue is full: ${LIMIT} of ${LIMIT} lines are still waiting for the printer; try again once it has worked through them`,
      });
      // Other commands go through the same queue.
      const bed = await fetch(`${server.url}/api/printer/bed`, {
        method: 'POST',
        headers: { 'x-api-key': TEST_KEYS.CONTROL, 'content-type': 'application/json' },
        body: JSON.stringify({ command: 'target', target: 0 }),
      });
      expect(bed.status).toBe(429);
    } finally {
      simulator.faults.unstallRx();
    }
    await expect.poll(async () => (await sendLines(LIMIT, 'M117 after')).status, { timeout: 10_000 }).toBe(204);
    await expect
      .poll(() => simulator.executed.filter((entry) => entry.command.startsWith('M117 after')).length)
      .toBe(LIMIT);
  });

  it('refuses a request with more lines than the queue holds with 400, and more than 1000 lines in any case', async () => {
    const tooMany = await sendLines(LIMIT + 1);
    expect(tooMany.status).toBe(400);
    expect(await tooMany.json()).toEqual({
      error: `${LIMIT + 1} lines are more than the command queue holds (serial.commandQueueLimit is ${LIMIT}); send fewer at once`,
    });
    const huge = await sendLines(1001);
    expect(huge.status).toBe(400);
    expect(await huge.json()).toEqual({ error: 'commands: at most 1000 lines per request' });
  });
});
