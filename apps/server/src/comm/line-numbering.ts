import { commandParameter, numberedLine } from './gcode-line.js';
import type { Entry } from './transmit-entry.js';

const HISTORY_SIZE = 50;

/**
 * Line numbers and the resend history: each numbered line gets the next number (an `M110 N<n>` starts again at n)
 * and its wire form, and the last max(50, 2 × send-ahead lines) stay available for a `Resend:`. `seq` counts every
 * numbered line across renumberings, so confirmations stay ordered when the numbers start again.
 */
export class LineNumbering {
  private next = 1;
  private seq = 0;
  private readonly history = new Map<number, Entry>();
  private readonly historySize: number;

  constructor(sendAheadLines: number) {
    this.historySize = Math.max(HISTORY_SIZE, 2 * sendAheadLines);
  }

  /** The number the next line gets. */
  get nextNumber(): number {
    return this.next;
  }

  /** The `seq` of the last line numbered. */
  get lastSeq(): number {
    return this.seq;
  }

  /** The line sent as `number`, while the history holds it. */
  sent(number: number): Entry | undefined {
    return this.history.get(number);
  }

  /** The lines sent from `number` through the last one, in order (those the history holds). */
  sentSince(number: number): Entry[] {
    const lines: Entry[] = [];
    for (let at = number; at < this.next; at += 1) {
      const entry = this.history.get(at);
      if (entry !== undefined) lines.push(entry);
    }
    return lines;
  }

  entries(): IterableIterator<Entry> {
    return this.history.values();
  }

  /** The wire form `N<n> <command>*<cs>` of a line not numbered yet; records it for resends. */
  assign(entry: Entry): string {
    if (entry.code === 'M110') {
      this.history.clear();
      this.next = commandParameter(entry.command, 'N') ?? 0;
    }
    entry.seq = ++this.seq;
    entry.lineNumber = this.next;
    entry.wire = numberedLine(this.next, entry.command);
    this.history.set(this.next, entry);
    this.history.delete(this.next - this.historySize);
    this.next += 1;
    return entry.wire;
  }

  /** Numbering starts at 1 again with an empty history (a new link, a reset printer); `seq` keeps counting. */
  reset(): void {
    this.history.clear();
    this.next = 1;
  }
}
