import type { Entry } from './transmit-entry.js';

/** Sent and awaiting an ok. */
interface InFlight {
  entry: Entry;
  bytes: number;
}

/**
 * The lines written and not yet acknowledged, oldest first, with the bytes they take in the firmware's RX buffer:
 * each ok answers the oldest one.
 */
export class InFlightWindow {
  private readonly items: InFlight[] = [];
  private totalBytes = 0;

  get length(): number {
    return this.items.length;
  }

  get bytes(): number {
    return this.totalBytes;
  }

  get entries(): Entry[] {
    return this.items.map((item) => item.entry);
  }

  // Plain loops: `some` runs for every line pump() considers.
  some(predicate: (entry: Entry) => boolean): boolean {
    for (const item of this.items) if (predicate(item.entry)) return true;
    return false;
  }

  find(predicate: (entry: Entry) => boolean): Entry | undefined {
    for (const item of this.items) if (predicate(item.entry)) return item.entry;
    return undefined;
  }

  /** A line went out as `wire` (plus its newline). */
  push(entry: Entry, wire: string): void {
    const bytes = wire.length + 1;
    this.items.push({ entry, bytes });
    this.totalBytes += bytes;
  }

  /** The oldest line, answered by an ok. */
  shift(): Entry | undefined {
    const head = this.items.shift();
    if (head !== undefined) this.totalBytes -= head.bytes;
    return head?.entry;
  }

  /** Puts back a line `shift` took (the ok was not its own). */
  unshift(entry: Entry): void {
    const bytes = (entry.wire ?? entry.command).length + 1;
    this.items.unshift({ entry, bytes });
    this.totalBytes += bytes;
  }

  /** Forgets the lines that match (they go again or were rejected); returns how many. */
  remove(predicate: (entry: Entry) => boolean): number {
    let removed = 0;
    for (let index = this.items.length - 1; index >= 0; index -= 1) {
      const item = this.items[index];
      if (item === undefined || !predicate(item.entry)) continue;
      this.items.splice(index, 1);
      this.totalBytes -= item.bytes;
      removed += 1;
    }
    return removed;
  }

  clear(): void {
    this.items.length = 0;
    this.totalBytes = 0;
  }
}
