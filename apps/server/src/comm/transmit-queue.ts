import { type LineSource, LineSources } from './line-source.js';
import { type Batch, type Entry, newEntry, type PollKind } from './transmit-entry.js';

/**
 * What waits to be sent, in order: the commands of `send()` calls and of the host itself (polls at most one of
 * each kind), and behind them the line sources (a print job), asked for one line only when nothing else waits.
 */
export class TransmitQueue {
  private readonly queued: Entry[] = [];
  private readonly sources = new LineSources();

  get length(): number {
    return this.queued.length;
  }

  get entries(): readonly Entry[] {
    return this.queued;
  }

  /** Queues commands (in order) for one `send()` call, or for the host itself when `batch` is undefined. */
  add(commands: readonly string[], batch: Batch | undefined, front = false): void {
    const entries = commands.map((command) => newEntry(command, batch));
    this.addEntries(entries, front);
  }

  addEntries(entries: readonly Entry[], front = false): void {
    if (front) this.queued.unshift(...entries);
    else this.queued.push(...entries);
  }

  /** Queues a poll unless one of its kind already waits; false when one did. */
  addPoll(command: string, kind: PollKind): boolean {
    for (const entry of this.queued) if (entry.kind === kind) return false;
    this.queued.push(newEntry(command, undefined, kind));
    return true;
  }

  dropPoll(kind: PollKind): void {
    const queued = this.queued.findIndex((entry) => entry.kind === kind);
    if (queued >= 0) this.queued.splice(queued, 1);
  }

  /** Adds a line source; the removal also drops the line it gave that has not gone out yet. */
  addSource(source: LineSource): () => void {
    const remove = this.sources.add(source);
    return () => {
      remove();
      const pulled = this.queued.findIndex((entry) => entry.source === source && entry.seq === 0);
      if (pulled >= 0) this.queued.splice(pulled, 1);
    };
  }

  /** The next entry to send; with nothing queued, a line from the sources unless `sourcesHeld`. */
  peek(sourcesHeld: boolean): Entry | undefined {
    if (this.queued.length === 0 && !sourcesHeld) {
      const line = this.sources.next();
      if (line !== undefined) this.queued.push(newEntry(line.text, undefined, undefined, line.source));
    }
    return this.queued[0];
  }

  /** The entry `peek` returned goes out. */
  shift(): void {
    this.queued.shift();
  }

  clear(): void {
    this.queued.length = 0;
  }
}
