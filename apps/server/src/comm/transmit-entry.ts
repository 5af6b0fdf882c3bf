import { commandCode } from './gcode-line.js';
import type { LineSource } from './line-source.js';

/** A `send()` call: resolves once every one of its lines was accepted. */
export interface Batch {
  remaining: number;
  resolve(): void;
  reject(error: Error): void;
  settled: boolean;
}

const LONG_RUNNING = new Set(['G4', 'G28', 'G29', 'G30', 'G32', 'M400', 'M226', 'M600']);
const HEATING = new Set(['M109', 'M190', 'M191', 'M116']);

export type PollKind = 'temperature-poll' | 'sd-status-poll';

/** One command on its way to the firmware. `seq` orders confirmations across line-number resets. */
export interface Entry {
  command: string;
  code: string | undefined;
  batch: Batch | undefined;
  /** The line source it came from, told when the firmware accepted it. */
  source: LineSource | undefined;
  seq: number;
  lineNumber: number | undefined;
  wire: string | undefined;
  /** Poll commands are de-duplicated: at most one of each kind waits in the queue. */
  kind: PollKind | undefined;
  confirmed: boolean;
}

export function newEntry(command: string, batch?: Batch, kind?: PollKind, source?: LineSource): Entry {
  const code = commandCode(command);
  return { command, code, batch, source, seq: 0, lineNumber: undefined, wire: undefined, kind, confirmed: false };
}

/** A heat-up command (M109, M190, ...): it blocks until the target is reached. */
export function heatsUp(entry: Entry): boolean {
  return entry.code !== undefined && HEATING.has(entry.code);
}

/** A command that may take long without an ok: a heat-up, homing, probing, a dwell, M400. */
export function mayRunLong(entry: Entry): boolean {
  return entry.code !== undefined && (LONG_RUNNING.has(entry.code) || HEATING.has(entry.code));
}
