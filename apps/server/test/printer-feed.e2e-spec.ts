import { startPtySimulator } from '@hotend/firmware-sim';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ChildProcessChannel } from '../src/comm/child-process-channel.js';
import type { CommCall, CommUpdate } from '../src/comm/comm-channel.js';
import { commSettings } from '../src/comm/comm-engine.js';
import { InProcessChannel } from '../src/comm/in-process-channel.js';
import { validateConfig } from '../src/config/config.loader.js';
import { PrinterCommService } from '../src/comm/printer-comm.service.js';
import type { CommEvents, CommEventName, TerminalLine } from '../src/comm/printer-comm.types.js';
import { startTestServer, type TestServer } from './harness.js';

/**
 * PrinterCommService's feed (snapshot + events) across the comm channel, on the production path: the comm layer in
 * its own child process, the printer a firmware-sim on a real pty in this process. One test repeats the checks
 * in-process, where the channel must give the same results.
 */

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function record<K extends CommEventName>(comm: PrinterCommService, event: K): CommEvents[K][] {
  const seen: CommEvents[K][] = [];
  comm.subscribe(event, (payload) => seen.push(payload));
  return seen;
}

const sendLines = (terminal: readonly (readonly TerminalLine[])[]): string[] =>
  terminal.flat().flatMap((entry) => (entry.direction === 'Send' ? [entry.line] : []));

describe.each([
  ['a child process', undefined],
  ['the server process', () => new InProcessChannel()],
] as const)('the printer feed with the comm layer in %s', (_name, commChannel) => {
  it('streams every terminal line once and in order, and the state, firmware and temperature events', async () => {
    const pty = await startPtySimulator({ resetOnOpen: false });
    try {
      server = await startTestServer({
        config: { serial: { autoconnect: false, additionalPorts: [pty.path] } },
        ...(commChannel === undefined ? {} : { commChannel }),
      });
      const comm = server.app.get(PrinterCommService);
      const terminal = record(comm, 'terminal');
      const states = record(comm, 'state');
      const firmware = record(comm, 'firmware');
      const temperatures = record(comm, 'temperature');
      await comm.connect({ port: pty.path, baudrate: 115200 });
      const moves = Array.from({ length: 200 }, (_, index) => `G1 X${index % 7} F6000`);
      await comm.send(moves);
      await vi.waitFor(() => expect(temperatures.length).toBeGreaterThan(0), { timeout: 5000 });

      // Every command went out exactly once, in order (numbered on the wire, each line once in the terminal).
      const sent = sendLines(terminal).filter((line) => / G1 X/.test(line));
      expect(sent.map((line) => line.replace(/^N\d+ /, '').replace(/\*\d+$/, ''))).toEqual(moves);
      const received = terminal.flat().filter((entry) => entry.direction === 'Recv');
      expect(received.filter((entry) => entry.line === 'ok').length).toBeGreaterThanOrEqual(moves.length);

      expect(states.map((status) => status.text)).toEqual(['Opening serial connection', 'Connecting', 'Operational']);
      expect(firmware.at(-1)).toMatchObject({ name: expect.stringContaining('Marlin') as unknown });
      expect(firmware.at(-1)?.capabilities['AUTOREPORT_TEMP']).toBe(true);
      expect(comm.snapshot.firmware).toEqual(firmware.at(-1));
      // The history is the mirror's: every sample that arrived.
      expect(comm.temperatureHistory.slice(-temperatures.length)).toEqual(temperatures);
      expect(comm.snapshot.status.text).toBe('Operational');
    } finally {
      await server?.close();
      server = undefined;
      await pty.close();
    }
  });

  it('reports a fatal firmware error as an error event and in the snapshot', async () => {
    server = await startTestServer({ printer: 'pty', ...(commChannel === undefined ? {} : { commChannel }) });
    const comm = server.app.get(PrinterCommService);
    const errors = record(comm, 'error');
    const states = record(comm, 'state');
    server.simulator?.faults.fatal('thermal_runaway', 0);
    await vi.waitFor(() => expect(errors).toHaveLength(1), { timeout: 5000 });
    expect(errors[0]).toMatchObject({ reason: 'runaway', consequence: 'emergency' });
    expect(comm.snapshot.lastError).toEqual(errors[0]);
    await vi.waitFor(() => expect(states.at(-1)?.text).toBe('Offline after error'), { timeout: 5000 });
  });
});

describe.each([
  ['ChildProcessChannel', () => new ChildProcessChannel()],
  ['InProcessChannel', () => new InProcessChannel()],
] as const)('%s', (_name, createChannel) => {
  it('carries the conversation only while the server asks for it', async () => {
    const pty = await startPtySimulator({ resetOnOpen: false });
    const channel = createChannel();
    const updates: CommUpdate[] = [];
    const replies = new Map<number, () => void>();
    channel.start(
      { settings: commSettings(validateConfig({}, 'test')), trafficEnabled: false, additionalPorts: [] },
      {
        message: (message) => {
          if (message.type === 'update') updates.push(message);
          if (message.type === 'reply') replies.get(message.id)?.();
        },
        lost: () => undefined,
      },
    );
    let nextId = 1;
    const call = (call: CommCall): Promise<void> =>
      new Promise((resolve) => {
        const id = nextId++;
        replies.set(id, resolve);
        channel.post({ type: 'call', id, call });
      });
    const traffic = (): string[] =>
      updates.flatMap((update) => update.traffic.flatMap((entry) => ('line' in entry ? [entry.line] : [])));
    try {
      await call({ method: 'connect', parameters: { port: pty.path, baudrate: 115200 }, additionalPorts: [] });
      await call({ method: 'send', lines: ['M117 unheard'] });
      expect(updates.length).toBeGreaterThan(0);
      expect(traffic()).toEqual([]);
      channel.post({ type: 'traffic', enabled: true });
      await call({ method: 'send', lines: ['M117 heard'] });
      expect(traffic().some((line) => line.includes('M117 heard'))).toBe(true);
      expect(traffic().some((line) => line.includes('unheard'))).toBe(false);
      // The snapshot crossed too: the first update is the whole initial state, later ones what changed.
      expect(updates[0]?.changed).toMatchObject({ status: { id: 'CLOSED' } });
      expect(updates.some((update) => update.changed.status?.id === 'OPERATIONAL')).toBe(true);
    } finally {
      await channel.close();
      await pty.close();
    }
  });
});
