/**
 * Messages between the main thread (WorkerComm, the proxy) and the comm worker (comm.worker.ts, which owns the port
 * and the protocol). Everything here is structured-clone safe plain data.
 */
import { SerialWriteError } from './serial-link.js';
import { CommandRejectedError, ConnectionLostError } from './printer-comm.js';
import type { CommSettings } from './comm-engine.js';
import type {
  ConnectionParameters,
  CurrentConnection,
  HeaterReadings,
  PrinterErrorInfo,
  PrinterStatus,
  SdStatus,
  TemperatureSample,
} from './printer-comm.types.js';
import type { SdFileEntry } from './reply-parsers.js';

export interface CommWorkerData {
  settings: CommSettings;
  serialLogEnabled: boolean;
  additionalPorts: string[];
}

/** Everything the main thread reads synchronously. `lastError` is null (not undefined) so a delta can clear it. */
export interface CommSnapshot {
  status: PrinterStatus;
  connection: CurrentConnection;
  heaters: HeaterReadings;
  sd: SdStatus;
  lastError: PrinterErrorInfo | null;
  sdFiles: SdFileEntry[];
  currentTool: number;
  invalidTools: number[];
}

/** One `serial.log` operation, in conversation order. */
export type SerialLogEntry = { direction: 'Send' | 'Recv' | 'Info'; line: string } | { rollOver: true };

export type CommCall =
  | { method: 'connect'; parameters: ConnectionParameters; additionalPorts: string[] }
  | { method: 'disconnect' }
  | { method: 'send'; lines: string[] }
  | { method: 'listPorts'; additionalPorts: string[] };

export type MainToWorker =
  | { type: 'call'; id: number; call: CommCall }
  | { type: 'fakeAck' }
  | { type: 'serialLog'; enabled: boolean }
  | { type: 'dispose' };

export interface SerializedError {
  name: string;
  message: string;
}

export type WorkerToMain =
  /** Changed snapshot fields, temperature samples appended since the last update, serial.log lines. */
  | { type: 'update'; changed: Partial<CommSnapshot>; history: TemperatureSample[]; serialLog: SerialLogEntry[] }
  | { type: 'log'; level: 'log' | 'warn' | 'error'; message: string }
  | { type: 'reply'; id: number; value?: string[] }
  | { type: 'reply'; id: number; error: SerializedError }
  | { type: 'disposed' };

export function serializeError(error: unknown): SerializedError {
  if (error instanceof Error) return { name: error.constructor.name, message: error.message };
  return { name: 'Error', message: String(error) };
}

/** Rebuilds the comm layer's error classes, so callers' `instanceof` checks hold across the thread boundary. */
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
