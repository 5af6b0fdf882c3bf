import { createReadStream, type ReadStream } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';

/** Bytes per read (and per socket write when streamed): a few large reads beat many small ones at GB sizes. */
const READ_CHUNK_BYTES = 256 * 1024;

/**
 * A file opened for reading. Everything goes through its descriptor, so a rename, swap or delete of the name
 * afterwards changes nothing about what is read.
 */
export interface OpenedFile {
  readonly size: number;
  /** Bytes `[start, end]` (inclusive); the stream takes the descriptor over and closes it when done. */
  read(start: number, end: number): ReadStream;
  /** Closes the descriptor unless a stream has taken it over. */
  close(): Promise<void>;
}

export function openedFile(handle: FileHandle, size: number): OpenedFile {
  let handedOver = false;
  return {
    size,
    read: (start, end) => {
      handedOver = true;
      return createReadStream('', { fd: handle, start, end, autoClose: true, highWaterMark: READ_CHUNK_BYTES });
    },
    close: async () => {
      if (handedOver) return;
      handedOver = true;
      await handle.close();
    },
  };
}
