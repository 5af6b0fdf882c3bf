import { existsSync, mkdirSync, openSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { formatLocalDate } from './log-format.js';

type Destination = ReturnType<typeof pino.destination>;

/** Bytes gathered before a write; `flush()` and the flush timer push out anything smaller. */
const BUFFER_BYTES = 8 * 1024;
/** The longest a written line waits in the buffer before it is written out. */
export const FLUSH_DELAY_MS = 250;

/**
 * One active log file (`hotend.log`, `serial.log`) written through pino's buffered file writer. It can be
 * rotated to `<name>.<date>` and reopened when the file was deleted, so logging never stops. Each (re)open
 * is synchronous and gets a fresh writer: lines logged before a rotation finish in the old file, lines logged
 * after it go to the new one.
 */
export class ActiveLogFile {
  private destination: Destination;
  /** Local date of the first line in the current file: rotation names the old file after it. */
  private startedOn: string;
  private wroteSinceOpen = false;
  private closed = false;
  private failureReported = false;
  /** Writers being drained into their (rotated or deleted) files. */
  private readonly retiring = new Set<Promise<void>>();
  private runningFlush: Promise<void> | undefined;
  private queuedFlush: Promise<void> | undefined;
  /** Bytes handed to the current writer and not yet written to its file. */
  private unwrittenBytes = 0;
  /**
   * Armed by a write, not by the clock: sonic-boom's own periodicFlush writes an empty buffer on the thread pool
   * every tick even when nothing was logged, so an idle log file would never cost nothing.
   */
  private flushTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly folder: string,
    readonly name: string,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.startedOn = formatLocalDate(this.now());
    this.rotateIfFromEarlierDay();
    this.destination = this.open();
  }

  get path(): string {
    return join(this.folder, this.name);
  }

  /** The date the current file was started. */
  get startDate(): string {
    return this.startedOn;
  }

  write(text: string): void {
    if (this.closed) return;
    this.wroteSinceOpen = true;
    this.unwrittenBytes += Buffer.byteLength(text);
    this.destination.write(text);
    if (this.flushTimer === undefined && this.unwrittenBytes > 0) this.armFlushTimer();
  }

  /** Whether lines are waiting in the buffer (a flush is then due within FLUSH_DELAY_MS). */
  get flushPending(): boolean {
    return this.flushTimer !== undefined;
  }

  private armFlushTimer(): void {
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      if (this.closed || this.unwrittenBytes === 0) return;
      try {
        this.destination.flush();
      } catch {
        // The writer failed; its error handler has said so.
      }
      // Again after the delay: a flush asked for while a write is in flight does nothing, and it stops once the
      // buffer is empty.
      this.armFlushTimer();
    }, FLUSH_DELAY_MS);
    this.flushTimer.unref();
  }

  /** Resolves once everything written so far has reached the file. */
  flush(): Promise<void> {
    // Concurrent callers share flushes: one running, plus at most one queued behind it for lines that came
    // after it started.
    if (this.queuedFlush !== undefined) return this.queuedFlush;
    if (this.runningFlush !== undefined) {
      this.queuedFlush = this.runningFlush.then(() => {
        this.queuedFlush = undefined;
        return this.startFlush();
      });
      return this.queuedFlush;
    }
    return this.startFlush();
  }

  private startFlush(): Promise<void> {
    this.runningFlush = (async () => {
      // Twice: a flush asked for while a write is in flight resolves when that write ends, even if smaller
      // buffered writes are still waiting (sonic-boom drains at minLength); the second one writes those.
      await this.flushOnce();
      await this.flushOnce();
      await Promise.all([...this.retiring]);
    })().finally(() => {
      this.runningFlush = undefined;
    });
    return this.runningFlush;
  }

  /** Writes out the buffer and resolves when the writer drains (no fsync: the OS has the lines, which is what
   * a reader or a crash of this process needs). */
  private flushOnce(): Promise<void> {
    const destination = this.destination;
    return new Promise<void>((resolve) => {
      const done = (): void => {
        destination.off('drain', done);
        destination.off('error', done);
        destination.off('close', done);
        resolve();
      };
      destination.on('drain', done);
      destination.on('error', done);
      destination.on('close', done);
      try {
        destination.flush();
      } catch {
        done();
      }
    });
  }

  /** Starts a fresh file at the same path (after a delete, or after the old one was renamed away). */
  reopen(): void {
    if (this.closed) return;
    this.startedOn = formatLocalDate(this.now());
    const previous = this.destination;
    this.destination = this.open();
    this.retire(previous);
  }

  /** Reopens when someone deleted or moved the active file from under us. */
  reopenIfMissing(): boolean {
    if (existsSync(this.path)) return false;
    this.reopen();
    return true;
  }

  /**
   * Renames the current file to `<name>.<date>` (`.1`, `.2` ... when that exists) and continues in a fresh
   * file. A file nothing was written to is not rotated. Returns the rotated file's name.
   */
  rotate(date: string = this.startedOn): string | undefined {
    let size: number;
    try {
      size = statSync(this.path).size;
    } catch {
      this.reopen();
      return undefined;
    }
    if (size === 0 && !this.wroteSinceOpen) return undefined;
    const target = this.freeRotationName(date);
    renameSync(this.path, join(this.folder, target));
    this.reopen();
    return target;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    try {
      this.destination.flushSync();
    } catch {
      // Nothing buffered that could be written.
    }
    this.retire(this.destination);
  }

  /** A file from an earlier day found at start is rotated first, so the active file only holds one day. */
  private rotateIfFromEarlierDay(): void {
    let modified: Date;
    let size: number;
    try {
      const info = statSync(this.path);
      modified = info.mtime;
      size = info.size;
    } catch {
      return;
    }
    const day = formatLocalDate(modified);
    if (size === 0 || day >= this.startedOn) return;
    renameSync(this.path, join(this.folder, this.freeRotationName(day)));
  }

  private freeRotationName(date: string): string {
    const base = `${this.name}.${date}`;
    if (!existsSync(join(this.folder, base))) return base;
    for (let counter = 1; ; counter += 1) {
      const candidate = `${base}.${counter}`;
      if (!existsSync(join(this.folder, candidate))) return candidate;
    }
  }

  /** Lets a replaced writer drain its buffer into its own file, then close it. */
  private retire(destination: Destination): void {
    const drained = new Promise<void>((resolve) => {
      destination.once('close', () => resolve());
      destination.once('error', () => resolve());
      try {
        destination.end();
      } catch {
        resolve();
      }
    });
    this.retiring.add(drained);
    void drained.then(() => this.retiring.delete(drained));
  }

  private open(): Destination {
    mkdirSync(this.folder, { recursive: true });
    // Opened synchronously, so the file exists as soon as the writer does.
    const fd = openSync(this.path, 'a');
    this.wroteSinceOpen = false;
    // The replaced writer drains into its own file (retire); only the new one's bytes are counted from here.
    this.unwrittenBytes = 0;
    const destination = pino.destination({ dest: fd, sync: false, minLength: BUFFER_BYTES });
    destination.on('write', (written: number) => {
      if (destination === this.destination) this.unwrittenBytes = Math.max(0, this.unwrittenBytes - written);
    });
    destination.on('error', (error: Error) => {
      // A log that cannot be written must not take the server down; say so once on stderr.
      if (this.failureReported) return;
      this.failureReported = true;
      process.stderr.write(`hotend: cannot write ${this.path}: ${error.message}\n`);
    });
    return destination;
  }
}
