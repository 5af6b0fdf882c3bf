import { createSimBinding, MarlinSim, type MarlinSimOptions, VirtualClock } from '@hotend/firmware-sim';
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
