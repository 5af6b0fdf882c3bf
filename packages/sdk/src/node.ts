/// <reference types="node" preserve="true" />
import { Readable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import type { DownloadOptions } from './byte-range.js';
import type { HotendClient } from './client.js';
import type { StreamUploadOptions, UploadData } from './files.js';
import type { FileLocation, UploadResult } from './types.js';

/**
 * `@hotend/sdk/node`: everything of `@hotend/sdk`, plus Node stream variants of the uploads and downloads. The
 * default entry stays free of Node types, so browser projects compile it without `@types/node`.
 */
export * from './index.js';

const toNode = (stream: ReadableStream<Uint8Array>): Readable =>
  Readable.fromWeb(stream as NodeReadableStream<Uint8Array>);

/**
 * Uploads a Node stream (a file being read, a slicer's output) without buffering it: it is read as the connection
 * takes it, so memory stays flat for a file of any size. `onProgress` counts the bytes as they go out.
 */
export function uploadStream(
  client: HotendClient,
  location: FileLocation,
  stream: Readable,
  data: UploadData,
  options: StreamUploadOptions,
): Promise<UploadResult> {
  return client.files.uploadStream(location, stream, data, options);
}

/** A build log's contents as a Node `Readable` (read a large log incrementally, or pipe it to a file). */
export async function buildLogContentStream(
  client: HotendClient,
  id: number,
  options: DownloadOptions = {},
): Promise<Readable> {
  return toNode(await client.buildLogs.contentStream(id, options));
}

/** A log file as a Node `Readable`. */
export async function downloadLogStream(
  client: HotendClient,
  name: string,
  options: DownloadOptions = {},
): Promise<Readable> {
  return toNode(await client.plugins.logging.downloadLogStream(name, options));
}

/** A stored file (`local`) as a Node `Readable`. */
export async function downloadFileStream(
  client: HotendClient,
  path: string,
  options: DownloadOptions = {},
): Promise<Readable> {
  return toNode(await client.files.downloadStream(path, options));
}
