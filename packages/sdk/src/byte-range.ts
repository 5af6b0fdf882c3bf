/**
 * One byte range of a download, the same shape everywhere: `{ start, end? }` (inclusive; no `end`: to the end of
 * the file) or `{ last }` (the last bytes). The server answers 206 with those bytes.
 */
export type ByteRange = { start: number; end?: number } | { last: number };

/** The `Range` header for a range. */
export function rangeHeader(range: ByteRange): string {
  return 'last' in range ? `bytes=-${range.last}` : `bytes=${range.start}-${range.end ?? ''}`;
}

/** Options of a text download: a byte range, and the call options. */
export interface DownloadOptions {
  range?: ByteRange;
  signal?: AbortSignal;
  timeout?: number;
}
