import type { SerialLogApi } from '../logging/logging.types.js';
import type { OpenLink } from './serial-link.js';
import type { TransmitterOptions } from './transmitter.options.js';

/** Time source; `@hotend/firmware-sim`'s VirtualClock and RealClock both fit. */
export interface CommClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Wall-clock timers, unref'd so a connected printer never keeps the process alive. */
export const REAL_CLOCK: CommClock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => {
    const handle = setTimeout(fn, Math.max(0, ms));
    handle.unref();
    return handle;
  },
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export interface CommDiagnostics {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/**
 * `serial.timeouts`, in seconds. `write`: how long a write may stay unaccepted by the port before one retry period,
 * then an error; `sdStatus`: the M27 poll interval when the firmware does not auto-report SD status.
 */
export interface CommTimeouts {
  connection: number;
  communication: number;
  communicationBusy: number;
  temperature: number;
  write: number;
  sdStatus: number;
}

export const DEFAULT_TIMEOUTS: Readonly<CommTimeouts> = {
  connection: 10,
  communication: 30,
  communicationBusy: 3,
  temperature: 5,
  write: 10,
  sdStatus: 1,
};

/** Flow control: ping-pong (the default), or send-ahead with 4 lines and 127 bytes in flight at most by default. */
export interface PrinterCommOptions extends Partial<TransmitterOptions> {
  openLink: OpenLink;
  clock?: CommClock;
  timeouts?: Partial<CommTimeouts>;
  profile?: { extruders: number; heatedBed: boolean; heatedChamber: boolean };
  /** Treat any unknown firmware error as fatal (OctoPrint's `disconnectOnErrors`, default true). */
  disconnectOnErrors?: boolean;
  /** Send the emergency stop sequence on a fatal error (OctoPrint's `sendM112OnError`, default true). */
  sendM112OnError?: boolean;
  /** Baud rates tried when the baud rate is 0 (auto). */
  detectionBaudrates?: readonly number[];
  /** Device ports tried when the port is `AUTO`. */
  detectionPorts?: () => Promise<string[]>;
  /** Where the conversation goes (serial.log, the terminal feed); optional. */
  traffic?: SerialLogApi;
  diagnostics?: CommDiagnostics;
}

/** Messages about the conversation go to serial.log (as `Info:` lines) and to the diagnostics log. */
export function commLogs(options: Pick<PrinterCommOptions, 'traffic' | 'diagnostics'>): CommDiagnostics {
  const to =
    (level: keyof CommDiagnostics) =>
    (message: string): void => {
      options.traffic?.append('Info', message);
      options.diagnostics?.[level](message);
    };
  return { log: to('log'), warn: to('warn'), error: to('error') };
}

/** A command was refused before it reached the printer (too long, printer not operational). */
export class CommandRejectedError extends Error {}
/** The connection ended before the printer acknowledged a command. */
export class ConnectionLostError extends Error {}
