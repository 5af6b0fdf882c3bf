import { Readable } from 'node:stream';
import type { OpenedFile } from '../files/opened-file.js';
import { parseByteRange } from './byte-range.js';

/** What a download of one file answers; callers add their own headers and their API family's 416 body. */
export type RangedDownload =
  | { readonly status: 416; readonly headers: Record<string, string> }
  | { readonly status: 200 | 206; readonly headers: Record<string, string>; readonly body: Readable | '' };

/**
 * The one way a file is downloaded (log files, build-log contents): one `Range` honoured with a 206,
 * `Content-Length`, `Content-Range`, `Accept-Ranges`, and the bytes streamed from the open descriptor in constant
 * memory. The file is closed here unless the returned stream took it over; HEAD gets the headers only.
 */
export async function rangedDownload(
  file: OpenedFile,
  rangeHeader: string | undefined,
  headOnly = false,
): Promise<RangedDownload> {
  const { size } = file;
  const range = parseByteRange(rangeHeader, size);
  const headers: Record<string, string> = { 'accept-ranges': 'bytes' };
  if (range === 'unsatisfiable') {
    await file.close();
    return { status: 416, headers: { ...headers, 'content-range': `bytes */${size}` } };
  }
  const { start, end } = range ?? { start: 0, end: size - 1 };
  const status = range === undefined ? 200 : 206;
  headers['content-length'] = String(end - start + 1);
  if (range !== undefined) headers['content-range'] = `bytes ${start}-${end}/${size}`;
  if (size === 0 || headOnly) {
    await file.close();
    // For HEAD an empty stream, not '': Fastify would replace the Content-Length of a string body with its own.
    return { status, headers, body: headOnly ? Readable.from([]) : '' };
  }
  return { status, headers, body: file.read(start, end) };
}
