/**
 * The one boundary between the server and the comm layer (the port, PrinterComm and the `VIRTUAL` simulator, run by
 * CommHost). Two implementations carry the same messages: ChildProcessChannel (the default: a separate process) and
 * InProcessChannel (the server's process, structured-cloned and asynchronous just the same). Everything here is
 * structured-clone safe plain data.
 */
import { SerialWriteError } from './serial-link.js';
import { CommandRejectedError, ConnectionLostError } from './printer-comm.js';
import type { CommSettings } from './comm-engine.js';
import type { PrintJobRequest } from './print-job.types.js';
import type {
  CommEventName,
  CommEvents,
  ConnectionParameters,
  PrinterSnapshot,
  TerminalLine,
} from './printer-comm.types.js';

/** The environment variable ChildProcessChannel passes the CommInit in (JSON). */
export const COMM_INIT_ENV = 'HOTEND_COMM_INIT';

/** What the comm side starts from. */
export interface CommInit {
  settings: CommSettings;
  /** Collect the conversation from the start (`serial.log` on). */
  trafficEnabled: boolean;
  additionalPorts: string[];
}

/** The conversation as the comm side reports it: lines in order, and where `serial.log` starts a new file. */
export type TrafficEntry = TerminalLine | { rollOver: true };

/** One event in the order it happened; `terminal` lines travel as `traffic` (see CommUpdate). */
export type CommEventMessage = {
  [K in Exclude<CommEventName, 'terminal'>]: { event: K; payload: CommEvents[K] };
}[Exclude<CommEventName, 'terminal'>];

export type CommCall =
  | { method: 'connect'; parameters: ConnectionParameters; additionalPorts: string[] }
  | { method: 'disconnect' }
  | { method: 'send'; lines: string[] }
  | { method: 'listPorts'; additionalPorts: string[] }
  | { method: 'startPrint'; request: PrintJobRequest };

export type ServerToComm =
  | { type: 'call'; id: number; call: CommCall }
  | { type: 'fakeAck' }
  /** Whether the comm side collects the conversation (someone subscribes to `terminal`, or `serial.log` is on). */
  | { type: 'traffic'; enabled: boolean }
  | { type: 'printCommand'; command: 'pause' | 'resume' | 'cancel' }
  | { type: 'dispose' };

export interface SerializedError {
  name: string;
  message: string;
}

/**
 * Changed snapshot fields, then what happened since the last update. `traffic` and `events` are each in order;
 * the events of one update are applied after its snapshot fields, so a listener sees the state it describes.
 */
export interface CommUpdate {
  type: 'update';
  changed: Partial<PrinterSnapshot>;
  events: CommEventMessage[];
  traffic: TrafficEntry[];
}

export type CommToServer =
  | CommUpdate
  | { type: 'log'; level: 'log' | 'warn' | 'error'; message: string }
  | { type: 'reply'; id: number; value?: string[] }
  | { type: 'reply'; id: number; error: SerializedError }
  | { type: 'disposed' };

export interface CommChannelHandlers {
  message(message: CommToServer): void;
  /** The comm side ended without being closed (a native crash, a kill); `reason` says how. */
  lost(reason: string): void;
}

/** The server's end of the boundary. */
export interface CommChannel {
  /** False after the comm side was lost or closed. */
  readonly running: boolean;
  /** Starts the comm side (again, after it was lost). */
  start(init: CommInit, handlers: CommChannelHandlers): void;
  post(message: ServerToComm): void;
  /** Keeps the server process alive while a caller waits for an answer (an idle comm layer never does). */
  hold(hold: boolean): void;
  /** Disposes the comm side (it disconnects the printer first), then ends it. */
  close(): Promise<void>;
}

/** Builds the channel the server uses; a provider, so tests can choose one (see CommModule). */
export type CommChannelFactory = () => CommChannel;

export function serializeError(error: unknown): SerializedError {
  if (error instanceof Error) return { name: error.constructor.name, message: error.message };
  return { name: 'Error', message: String(error) };
}

/** Rebuilds the comm layer's error classes, so callers' `instanceof` checks hold across the boundary. */
export function reviveError(error: SerializedError): Error {
  switch (error.name) {
    case CommandRejectedError.name:
      return new CommandRejectedError(error.message);
    case ConnectionLostError.name:
      return new ConnectionLostError(error.message);
    case SerialWriteError.name:
      return new SerialWriteError(error.message);
    default: {
      const revived = new Error(error.message);
      revived.name = error.name;
      return revived;
    }
  }
}
