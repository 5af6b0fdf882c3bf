import type { Entry } from './transmit-entry.js';

/**
 * Which lines the firmware accepted, and the callers waiting for that: each `send()` batch resolves once all its
 * lines were accepted, and a line source hears of each of its lines. The firmware enforces the order of numbered
 * lines, so an ok for one confirms every line numbered before it.
 */
export class Confirmations {
  private confirmedSeq = 0;
  /** Numbered entries of `send()` batches and line sources not yet confirmed, in `seq` order. */
  private readonly waiting: Entry[] = [];

  /** The `seq` of the last line confirmed. */
  get through(): number {
    return this.confirmedSeq;
  }

  /** A line of a batch or a source was numbered (in `seq` order). */
  track(entry: Entry): void {
    if (entry.batch !== undefined || entry.source !== undefined) this.waiting.push(entry);
  }

  /** Every numbered line up to `seq` was accepted; false when that was known already. */
  confirmThrough(seq: number): boolean {
    if (seq <= this.confirmedSeq) return false;
    this.confirmedSeq = seq;
    while (this.waiting.length > 0 && (this.waiting[0]?.seq ?? Infinity) <= seq) {
      const entry = this.waiting.shift();
      if (entry !== undefined) this.settle(entry);
    }
    return true;
  }

  /** `entry` was accepted (or needs no ok: a line that is not a G/M/T command). */
  settle(entry: Entry): void {
    if (entry.confirmed) return;
    entry.confirmed = true;
    entry.source?.accepted?.(entry.command);
    const batch = entry.batch;
    if (batch === undefined || batch.settled) return;
    batch.remaining -= 1;
    if (batch.remaining <= 0) {
      batch.settled = true;
      batch.resolve();
    }
  }

  /** Everything numbered so far (up to `seq`) counts as done: nothing waits any more. */
  reset(seq: number): void {
    this.waiting.length = 0;
    this.confirmedSeq = seq;
  }
}
