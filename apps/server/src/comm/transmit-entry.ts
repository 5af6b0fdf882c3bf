import { commandCode } from './gcode-line.js';
import type { LineSource } from './line-source.js';

/** A `send()` call: resolves once every one of its lines was accepted. */
export interface Batch {
  remaining: number;
  resolve(): void;
  reject(error: Error): void;
  settled: boolean;
}

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
