/// <reference types="node" preserve="true" />
import { Readable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import type { DownloadOptions } from './byte-range.js';
import type { HotendClient } from './client.js';

/**
 * `@hotend/sdk/node`: everything of `@hotend/sdk`, plus Node stream variants of the downloads. The default entry
 * stays free of Node types, so browser projects compile it without `@types/node`.
 */
export * from './index.js';

/** A build log's contents as a Node `Readable` (read a large log incrementally, or pipe it to a file). */
export async function buildLogContentStream(
  client: HotendClient,
  id: number,
  options: DownloadOptions = {},
): Promise<Readable> {
  return Readable.fromWeb((await client.buildLogs.contentStream(id, options)) as NodeReadableStream<Uint8Array>);
}

/** A log file as a Node `Readable`. */
export async function downloadLogStream(
  client: HotendClient,
  name: string,
  options: DownloadOptions = {},
): Promise<Readable> {
  return Readable.fromWeb(
    (await client.plugins.logging.downloadLogStream(name, options)) as NodeReadableStream<Uint8Array>,
  );
}
