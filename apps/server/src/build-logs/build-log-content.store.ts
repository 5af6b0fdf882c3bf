import { randomUUID } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync } from 'node:fs';
import { type FileHandle, open, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { type OpenedFile, openedFile } from '../common/files/opened-file.js';

/** Thrown by `receive` when the body grows past the limit; the temp file is already gone. */
export class ContentTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`The build log is larger than ${limit} bytes`);
  }
}

/** Thrown by `receive` when the client stops sending before the body is complete. */
export class ContentAbortedError extends Error {
  constructor() {
    super('The request body ended before it was complete');
  }
}

const TEMP_PREFIX = '.incoming-';
const CONTENT_NAME = /^([1-9][0-9]*)\.log$/;

/** A body received into a temp file, synced to disk, waiting to be put in place under its id. */
export interface ReceivedContent {
  readonly tempPath: string;
  readonly size: number;
}

/**
 * Build-log contents as files named by id (`<dir>/<id>.log`), so no request value ever becomes a path. New
 * contents arrive as `.incoming-<uuid>` temp files and are renamed into place; anything else found at start is
 * what a crash left behind.
 */
export class BuildLogContentStore {
  constructor(readonly directory: string) {
    mkdirSync(directory, { recursive: true });
  }

  /** The content of `id`, opened for reading; undefined when there is no such file. */
  async open(id: number): Promise<OpenedFile | undefined> {
    let handle: FileHandle;
    try {
      handle = await open(this.pathOf(id), 'r');
    } catch {
      return undefined;
    }
    // The size of the open file, not of the name: a concurrent delete cannot change what is sent.
    const { size } = await handle.stat().catch(async (error: unknown) => {
      await handle.close();
      throw error;
    });
    return openedFile(handle, size);
  }

  pathOf(id: number): string {
    if (!Number.isSafeInteger(id) || id < 1) throw new RangeError(`not a build log id: ${id}`);
    return join(this.directory, `${id}.log`);
  }

  /**
   * Streams `body` to a new temp file with constant memory, stopping at `limit` bytes, and fsyncs it. Any
   * failure removes the temp file before it is rethrown.
   */
  async receive(body: Readable | undefined, limit: number): Promise<ReceivedContent> {
    const tempPath = join(this.directory, `${TEMP_PREFIX}${randomUUID()}`);
    let handle: FileHandle | undefined;
    let size = 0;
    try {
      handle = await open(tempPath, 'wx', 0o600);
      if (body !== undefined) {
        // destroyOnReturn false: when we stop early (too large), the socket must stay usable for the 413.
        for await (const chunk of body.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer | string>) {
          const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
          size += bytes.length;
          if (size > limit) throw new ContentTooLargeError(limit);
          await handle.write(bytes);
        }
        if (body.readableAborted || body.errored !== null) throw new ContentAbortedError();
      }
      await handle.sync();
      await handle.close();
      handle = undefined;
      return { tempPath, size };
    } catch (error) {
      await handle?.close().catch(() => undefined);
      await rm(tempPath, { force: true });
      throw isAbort(error) ? new ContentAbortedError() : error;
    }
  }

  /** Renames a received temp file to the id's name and syncs the directory, so the rename survives a crash. */
  placeSync(received: ReceivedContent, id: number): void {
    renameSync(received.tempPath, this.pathOf(id));
    const directory = openSync(this.directory, 'r');
    try {
      fsyncSync(directory);
    } finally {
      closeSync(directory);
    }
  }

  async discard(received: ReceivedContent, id?: number): Promise<void> {
    await rm(received.tempPath, { force: true });
    if (id !== undefined) await rm(this.pathOf(id), { force: true });
  }

  async remove(id: number): Promise<void> {
    await rm(this.pathOf(id), { force: true });
  }

  /**
   * Deletes what an interrupted publish or delete leaves: temp files, and content files whose row does not
   * exist. Returns the names removed.
   */
  async removeOrphans(hasRow: (id: number) => Promise<boolean>): Promise<string[]> {
    const removed: string[] = [];
    for (const name of await readdir(this.directory)) {
      const match = CONTENT_NAME.exec(name);
      const orphan = name.startsWith(TEMP_PREFIX) || (match !== null && !(await hasRow(Number(match[1]))));
      if (orphan) {
        await rm(join(this.directory, name), { force: true });
        removed.push(name);
      }
    }
    return removed;
  }
}

function isAbort(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ECONNRESET' || code === 'ERR_STREAM_PREMATURE_CLOSE' || code === 'ABORT_ERR';
}
