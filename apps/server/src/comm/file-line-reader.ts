import { type FileHandle, open } from 'node:fs/promises';

const CHUNK_BYTES = 256 * 1024;
const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;
const BOM = [0xef, 0xbb, 0xbf];

/** One raw line of the file and the byte offset just after it (what has been consumed so far). */
export interface FileLine {
  readonly text: string;
  readonly end: number;
}

/**
 * Reads a stored file as lines without blocking: `next()` answers synchronously from a buffer and, when the
 * buffer runs low, reads the next chunk in the background and calls `onReadable` once it is there. Memory stays at
 * two chunks whatever the file size. A BOM is skipped (but counted); bad UTF-8 is replaced.
 */
export class FileLineReader {
  private handle: FileHandle | undefined;
  private buffer: Buffer = Buffer.alloc(0);
  /** File offset of `buffer[0]`. */
  private bufferStart = 0;
  private readPosition = 0;
  private reading: Promise<void> | undefined;
  private eof = false;
  private failure: Error | undefined;
  private closed = false;
  size = 0;

  constructor(
    private readonly file: string,
    private readonly onReadable: () => void,
  ) {}

  async open(from = 0): Promise<void> {
    this.handle = await open(this.file, 'r');
    this.size = (await this.handle.stat()).size;
    this.bufferStart = from;
    this.readPosition = from;
    await this.fill();
    if (from === 0 && BOM.every((byte, index) => this.buffer[index] === byte)) {
      this.buffer = this.buffer.subarray(BOM.length);
      this.bufferStart = BOM.length;
    }
  }

  /** True once every line was returned. */
  get done(): boolean {
    return this.eof && this.buffer.length === 0;
  }

  /** Why reading failed, if it did (the print fails with it). */
  get error(): Error | undefined {
    return this.failure;
  }

  /** The next line, or undefined when the buffer holds no whole line yet (or at the end). */
  next(): FileLine | undefined {
    let newline = this.buffer.indexOf(NEWLINE);
    if (newline === -1 && !this.eof) {
      this.prefetch();
      return undefined;
    }
    if (newline === -1) newline = this.buffer.length - 1;
    if (this.buffer.length === 0) return undefined;
    const buffer = this.buffer;
    let textEnd = buffer[newline] === NEWLINE ? newline : newline + 1;
    if (textEnd > 0 && buffer[textEnd - 1] === CARRIAGE_RETURN) textEnd -= 1;
    const text = buffer.toString('utf8', 0, textEnd);
    this.buffer = buffer.subarray(newline + 1);
    this.bufferStart += newline + 1;
    if (this.buffer.length < CHUNK_BYTES / 2) this.prefetch();
    return { text, end: this.bufferStart };
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.reading?.catch(() => undefined);
    const handle = this.handle;
    this.handle = undefined;
    await handle?.close();
  }

  private prefetch(): void {
    if (this.reading !== undefined || this.eof || this.closed) return;
    this.reading = this.fill()
      .catch((error: unknown) => {
        this.failure = error instanceof Error ? error : new Error(String(error));
        this.eof = true;
      })
      .finally(() => {
        this.reading = undefined;
        if (!this.closed) this.onReadable();
      });
  }

  private async fill(): Promise<void> {
    const handle = this.handle;
    if (handle === undefined) return;
    const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
    const { bytesRead } = await handle.read(chunk, 0, CHUNK_BYTES, this.readPosition);
    if (bytesRead === 0) {
      this.eof = true;
      return;
    }
    this.readPosition += bytesRead;
    this.buffer =
      this.buffer.length === 0
        ? chunk.subarray(0, bytesRead)
        : Buffer.concat([this.buffer, chunk.subarray(0, bytesRead)]);
  }
}
