import { autoDetect } from '@serialport/bindings-cpp';
import { startPtySimulator } from '@hotend/firmware-sim';
import { describe, expect, it } from 'vitest';
import { longestPause } from '../../test/comm-helpers.js';
import { PrinterComm } from './printer-comm.js';
import { openSerialLink } from './serial-link.js';

/**
 * Noise soak (issue 16, item 5): relative moves streamed through PrinterComm into the simulator on a real
 * pseudo-terminal with 2% of the lines corrupted, in both flow-control modes and several seeds. The M114 position at
 * the end is an exactly-once oracle (a lost or doubled move shows), no communication timeout may fire on the way (a
 * stall, a resend that went nowhere, a duplicate request taken for an echo, would need one to get going again), and
 * no pause between two moves may reach 2x `communicationBusy` (issue 16's bound for any recovery).
 * A medium test: HOTEND_SOAK_LINES lines per run (default 2,000; the full soak is 10,000).
 */

const LINES = Number(process.env['HOTEND_SOAK_LINES'] ?? 2000);
const SEEDS = [7, 42, 1234];
/** The default `communicationBusy`. */
const BUSY_TIMEOUT_MS = 3000;
const binding = autoDetect();

async function soak(flowControl: 'ping-pong' | 'send-ahead', seed: number): Promise<void> {
  const pty = await startPtySimulator({ resetOnOpen: false });
  const warnings: string[] = [];
  const comm = new PrinterComm({
    openLink: (path, baudrate, handlers) => openSerialLink(binding, path, baudrate, handlers),
    flowControl,
    sendAheadLines: 4,
    diagnostics: { log: () => undefined, warn: (m) => warnings.push(m), error: (m) => warnings.push(m) },
  });
  try {
    await comm.connect({ port: pty.path, baudrate: 115200 });
    const positions: Array<{ x: number }> = [];
    comm.events.on('position', (position: { x: number }) => positions.push(position));
    const mark = pty.sim.executed.length;
    pty.sim.faults.noise(0.02, seed);
    const moves = Array.from({ length: LINES }, () => 'G1 X0.01 F6000');
    await comm.send(['G91', ...moves, 'G90', 'M400', 'M114']);
    pty.sim.faults.noise(0);
    expect(positions.at(-1)?.x).toBe(Number((LINES * 0.01).toFixed(2)));
    const executed = pty.sim.executed.slice(mark).map((entry) => entry.command);
    expect(executed.filter((command) => command === 'G1 X0.01 F6000')).toHaveLength(LINES);
    const moveTimes = pty.sim.executed
      .slice(mark)
      .flatMap((entry) => (entry.command === 'G1 X0.01 F6000' ? [entry.time] : []));
    expect(longestPause(moveTimes)).toBeLessThan(2 * BUSY_TIMEOUT_MS);
    expect(warnings.filter((warning) => /timeout/i.test(warning))).toEqual([]);
    expect(comm.status.id).toBe('OPERATIONAL');
  } finally {
    await comm.disconnect();
    await pty.close();
  }
}

describe(`noise soak over a pty: ${LINES} relative moves, 2% corrupted lines`, () => {
  for (const flowControl of ['ping-pong', 'send-ahead'] as const) {
    for (const seed of SEEDS) {
      it(
        `${flowControl}, seed ${seed}: ends at the exact position with no communication timeout`,
        async () => {
          await soak(flowControl, seed);
        },
        60_000 + LINES * 20,
      );
    }
  }
});
