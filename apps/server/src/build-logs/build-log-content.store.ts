import { randomUUID } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
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

/**
 * A body received but not yet stored under its id: a small one held in memory, a larger one in a temp file
 * (written, not yet synced unless it is large; see PRESYNC_BYTES).
 */
export type ReceivedContent =
  | { readonly kind: 'memory'; readonly bytes: readonly Buffer[]; readonly size: number }
  | { readonly kind: 'file'; readonly tempPath: string; readonly size: number };

/** Bodies up to this size stay in memory until their id is known, then are written once, straight into place. */
const IN_MEMORY_BYTES = 64 * 1024;
/**
 * Larger temp files get their data flushed on the thread pool before the commit, so the fsync that runs inside
 * the (synchronous) transaction only has the rename left to persist and never blocks the event loop for long.
 */
const PRESYNC_BYTES = 1024 * 1024;

/**
 * Build-log contents as files named by id (`<dir>/<id>.log`), so no request value ever becomes a path. Larger
 * contents arrive as `.incoming-<uuid>` temp files and are renamed into place; anything else found at start is
 * what a crash left behind.
 *
 * Durability costs two fsyncs per publish: the content file's (inside the metadata transaction, after it has
 * its final name) and the metadata commit's. An fsync of a file persists its data and its current name
 * together on Linux's journalling file systems (ext4, XFS, btrfs: a rename followed by an fsync of the renamed
 * file survives a power cut), so a separate fsync of the temp file before the rename and of the directory after
 * it adds no safety. The order is unchanged: the content is durable under its id before the row commits, and a
 * crash before the commit leaves a temp file or a row-less `<id>.log`, both removed at the next start.
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
   * Reads `body` with constant memory, stopping at `limit` bytes: a small body into memory, a larger one into
   * a new temp file. Any failure removes the temp file before it is rethrown.
   */
  async receive(body: Readable | undefined, limit: number): Promise<ReceivedContent> {
    const held: Buffer[] = [];
    let tempPath: string | undefined;
    let handle: FileHandle | undefined;
    let size = 0;
    try {
      if (body !== undefined) {
        // destroyOnReturn false: when we stop early (too large), the socket must stay usable for the 413.
        for await (const chunk of body.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer | string>) {
          const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
          size += bytes.length;
          if (size > limit) throw new ContentTooLargeError(limit);
          if (handle === undefined && size <= IN_MEMORY_BYTES) {
            held.push(bytes);
            continue;
          }
          if (handle === undefined) {
            tempPath = join(this.directory, `${TEMP_PREFIX}${randomUUID()}`);
            handle = await open(tempPath, 'wx', 0o600);
            if (held.length > 0) await handle.writev(held.splice(0));
          }
          await handle.write(bytes);
        }
        if (body.readableAborted || body.errored !== null) throw new ContentAbortedError();
      }
      if (handle === undefined || tempPath === undefined) return { kind: 'memory', bytes: held, size };
      if (size > PRESYNC_BYTES) await handle.datasync();
      await handle.close();
      handle = undefined;
      return { kind: 'file', tempPath, size };
    } catch (error) {
      await handle?.close().catch(() => undefined);
      if (tempPath !== undefined) await rm(tempPath, { force: true });
      throw isAbort(error) ? new ContentAbortedError() : error;
    }
  }

  /**
   * Puts received content in place as `<id>.log` and fsyncs it there (data and name). Runs inside the
   * metadata transaction, before its commit; on failure nothing is left under the id.
   */
  placeSync(received: ReceivedContent, id: number): void {
    const path = this.pathOf(id);
    try {
      if (received.kind === 'memory') {
        // 'w': a file already under this id has no row (a rolled-back publish), so it is garbage.
        const file = openSync(path, 'w', 0o600);
        try {
          for (const bytes of received.bytes) writeAllSync(file, bytes);
          fsyncSync(file);
        } finally {
          closeSync(file);
        }
      } else {
        renameSync(received.tempPath, path);
        const file = openSync(path, 'r');
        try {
          fsyncSync(file);
        } finally {
          closeSync(file);
        }
      }
    } catch (error) {
      // A renamed temp file goes with it: the publish failed, and the row is rolled back.
      rmSync(path, { force: true });
      throw error;
    }
  }

  async discard(received: ReceivedContent, id?: number): Promise<void> {
    if (received.kind === 'file') await rm(received.tempPath, { force: true });
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

function writeAllSync(file: number, bytes: Buffer): void {
  for (let written = 0; written < bytes.length;) written += writeSync(file, bytes, written);
}

function isAbort(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ECONNRESET' || code === 'ERR_STREAM_PREMATURE_CLOSE' || code === 'ABORT_ERR';
}
