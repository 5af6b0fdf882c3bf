import { createSimBinding, MarlinSim, type MarlinSimOptions, VirtualClock } from '@hotend/firmware-sim';
import { afterEach } from 'vitest';
import { PrinterComm, type PrinterCommOptions } from '../src/comm/printer-comm.js';
import { openSerialLink, type SerialBinding } from '../src/comm/serial-link.js';

/** Lets stream callbacks and promise chains run (the binding's reads and writes settle in a few turns). */
export async function settle(turns = 6): Promise<void> {
  for (let turn = 0; turn < turns; turn += 1) await new Promise<void>((resolve) => setImmediate(resolve));
}

export interface CommRig {
  clock: VirtualClock;
  sim: MarlinSim;
  comm: PrinterComm;
  /** Every line written to the port, in order (terminators removed; a bare `\n` shows as ''). */
  wire: string[];
  /** Warnings and errors the comm layer logged. */
  warnings: string[];
  /** Most un-acknowledged G/M/T lines seen at once (after the handshake). */
  maxInFlight(): number;
  /** Advances virtual time in steps until `predicate` holds; throws after `maxMs`. */
  until(predicate: () => boolean, maxMs?: number, stepMs?: number): Promise<number>;
  run(ms: number, stepMs?: number): Promise<void>;
  connect(): Promise<void>;
  /** From now on the binding's writes fail with `error` (an I/O error of the device). */
  failWrites(error: Error): void;
  /**
   * For the next `ms`, writes are accepted but held back, then reach the printer as one chunk, as bytes pile up
   * in a pty or USB buffer while the firmware is busy.
   */
  coalesceWrites(ms: number): void;
  /** G/M commands the simulator executed from serial, oldest first. */
  executedCommands(): string[];
  close(): Promise<void>;
}

/** PrinterComm + SerialPortStream + the simulator's binding, all on one virtual clock. */
export interface CommRigOptions {
  /** The only baud rate the printer understands: at any other, its input is lost and it answers garbage. */
  listenBaudrate?: number;
}

export function commRig(
  simOptions: MarlinSimOptions = {},
  commOptions: Partial<PrinterCommOptions> = {},
  rigOptions: CommRigOptions = {},
): CommRig {
  const clock = new VirtualClock();
  const sim = new MarlinSim({ clock, ...simOptions });
  const simBinding = createSimBinding(sim);
  let writeFailure: Error | undefined;
  let holdUntil = 0;
  const held: Buffer[] = [];
  // The simulator's binding, with writes that can be made to fail like a device's I/O error.
  const binding: SerialBinding = {
    list: () => simBinding.list(),
    open: async (options) => {
      const port = await simBinding.open(options);
      const write = port.write.bind(port);
      const listen = rigOptions.listenBaudrate;
      const wrongBaud = listen !== undefined && options.baudRate !== listen;
      port.write = (buffer: Buffer) => {
        if (writeFailure !== undefined) return Promise.reject(writeFailure);
        if (clock.now() < holdUntil) {
          if (held.length === 0) {
            clock.setTimeout(() => void write(Buffer.concat(held.splice(0))), holdUntil - clock.now());
          }
          held.push(buffer);
          return Promise.resolve();
        }
        if (!wrongBaud) return write(buffer);
        sim.sendLine('\xfe\x86\x9a\xe0');
        return Promise.resolve();
      };
      return port;
    },
  };
  const wire: string[] = [];
  const warnings: string[] = [];
  let pending = '';
  let outstanding = 0;
  let peak = 0;
  let counting = false;
  const comm = new PrinterComm({
    clock,
    diagnostics: { log: () => undefined, warn: (m) => warnings.push(m), error: (m) => warnings.push(m) },
    ...commOptions,
    openLink: async (port, baudrate, handlers) => {
      const link = await openSerialLink(binding, port, baudrate, {
        onLine: (line) => {
          if (counting && line.startsWith('ok')) outstanding = Math.max(0, outstanding - 1);
          handlers.onLine(line);
        },
        onClose: handlers.onClose,
      });
      return {
        write(data: string, written?: () => void): void {
          pending += data;
          const parts = pending.split('\n');
          pending = parts.pop() ?? '';
          for (const part of parts) {
            wire.push(part);
            if (counting && /^N\d+ [GMT]\d/.test(part) && !/M112/.test(part)) {
              outstanding += 1;
              peak = Math.max(peak, outstanding);
            }
          }
          link.write(data, written);
        },
        close: () => link.close(),
      };
    },
  });
  const until = async (predicate: () => boolean, maxMs = 120_000, stepMs = 10): Promise<number> => {
    let elapsed = 0;
    await settle();
    while (!predicate()) {
      if (elapsed >= maxMs) throw new Error(`condition not met within ${maxMs} virtual ms`);
      await clock.advanceAsync(stepMs, () => settle(3));
      await settle();
      elapsed += stepMs;
    }
    return elapsed;
  };
  const rig: CommRig = {
    clock,
    sim,
    comm,
    wire,
    warnings,
    maxInFlight: () => peak,
    until,
    run: async (ms, stepMs = 10) => {
      await until(() => false, ms, stepMs).catch(() => undefined);
    },
    connect: async () => {
      const connecting = comm.connect({ port: 'VIRTUAL', baudrate: 115200 });
      let failure: unknown;
      connecting.catch((error: unknown) => (failure = error));
      // Connected and through the post-connect burst (M110, M115, M21, autoreport setup).
      await until(() => failure !== undefined || (comm.isOperational && wire.some((l) => / M21\*/.test(l))), 30_000);
      await connecting;
      await rig.run(200);
      counting = true;
      outstanding = 0;
    },
    coalesceWrites: (ms) => {
      holdUntil = clock.now() + ms;
    },
    failWrites: (error) => {
      writeFailure = error;
    },
    executedCommands: () => sim.executed.filter((entry) => entry.source === 'serial').map((entry) => entry.command),
    close: async () => {
      await comm.disconnect();
      sim.dispose();
    },
  };
  return rig;
}

/** Streams `lines` through `comm.send` and drives the clock until they are all acknowledged. */
export async function stream(rig: CommRig, lines: readonly string[], maxMs = 600_000, stepMs = 10): Promise<void> {
  let done = false;
  let failure: unknown;
  rig.comm.send(lines).then(
    () => (done = true),
    (error: unknown) => (failure = error),
  );
  await rig.until(() => done || failure !== undefined, maxMs, stepMs);
  if (failure !== undefined) throw failure;
}

/**
 * A rig per test for the scenario specs (src/comm/comm-scenarios-*.spec.ts): the returned function builds one, and
 * the last one built is closed after each test.
 *
 * Coverage of marlin-protocol.md §4 by those files ("#n" prefixes the test names): handshake #1-#6, thermal #7-#11,
 * resends #12-#26, #40, #41, errors #27-#34, sd #35-#37, #39; the `wait` and resend-then-silence recoveries are in
 * comm-recovery.spec.ts. Not covered: #38 (SD upload, M28 streaming of a host file: the job layer's) and #42
 * (throughput: bench/comm-streaming.bench.ts). §3 checklist: 3.1 states → #1-#4, #28, #33, #34, #36, #39 (job states:
 * job layer); 3.2 handshake → #1-#4; 3.3 numbering, history, writes → #1, #13, #14, #19, #34; 3.4 flow control,
 * emergency, blocked M0/M1 → #9, #12, #24, #32; 3.5 receive loop → #10, #15, #27, #28, #35, #39; 3.6 resends →
 * #13-#19, #41; 3.7 timeouts and busy → #8, #10, #11, #21-#23; 3.8 parsing → #5, #7, #35 and reply-parsers.spec.ts;
 * 3.9 polling → #6, #36; 3.10 errors → #20, #28-#31, #33 and the NUL-byte warning; 3.12 serial.log →
 * connection.e2e-spec.ts; 3.13 transport → every test. Not covered: 3.11 (SD upload); polls suppressed during a G4
 * dwell (3.7; in ping-pong a poll cannot overtake the dwell anyway).
 */
export function useCommRig(): (...args: Parameters<typeof commRig>) => CommRig {
  let rig: CommRig | undefined;
  afterEach(async () => {
    await rig?.close();
    rig = undefined;
  });
  return (...args) => {
    rig = commRig(...args);
    return rig;
  };
}

/** `count` distinct short moves (feed rates differ, so each line is told apart in the executed log). */
export const moves = (count: number, from = 0): string[] =>
  Array.from({ length: count }, (_, index) => `G1 X${(from + index) % 2} F${6000 + from + index}`);

/** Line numbers written more than once since wire entry `from` (the resends). */
export function resentNumbers(rig: CommRig, from: number): number[] {
  const seen = new Map<number, number>();
  for (const line of rig.wire.slice(from)) {
    const number = /^N(\d+) /.exec(line)?.[1];
    if (number !== undefined) seen.set(Number(number), (seen.get(Number(number)) ?? 0) + 1);
  }
  return [...seen].filter(([, count]) => count > 1).map(([number]) => number);
}

/** The longest time between two consecutive `times` (ms): a stall shows up here even when it ends by itself. */
export function longestPause(times: readonly number[]): number {
  let longest = 0;
  for (let index = 1; index < times.length; index += 1) {
    longest = Math.max(longest, (times[index] ?? 0) - (times[index - 1] ?? 0));
  }
  return longest;
}
