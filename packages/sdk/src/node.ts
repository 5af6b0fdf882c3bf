// Node-only helpers: `@hotend/sdk/node`. Kept out of the default entry so browser bundles never see node:stream.
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import type { HotendClient } from './client.js';
import { progressOf, uploadFields, type UploadData, type UploadOptions } from './files.js';
import type { FileLocation, UploadResult } from './types.js';

export interface StreamUploadOptions extends UploadOptions {
  /** Name the server stores the file under (sanitised there). */
  filename: string;
  /** Byte length of the stream, when known: sent as Content-Length (otherwise the body is chunked). */
  size?: number;
}

const quote = (text: string): string => text.replace(/["\\\r\n]/g, (char) => encodeURIComponent(char));

/**
 * Uploads a Node stream (a file being read, a slicer's output) without buffering it: the multipart body is the
 * stream between a head and a tail, so memory stays flat for a file of any size.
 */
export async function uploadStream(
  client: HotendClient,
  location: FileLocation,
  stream: Readable,
  data: UploadData,
  options: StreamUploadOptions,
): Promise<UploadResult> {
  const boundary = `----hotend-sdk-${randomBytes(12).toString('hex')}`;
  const fields = uploadFields(data)
    .map(
      ([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${quote(name)}"\r\n\r\n${value}\r\n`,
    )
    .join('');
  const head = Buffer.from(
    `${fields}--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${quote(options.filename)}"\r\n` +
      'Content-Type: application/octet-stream\r\n\r\n',
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  async function* body(): AsyncGenerator<Buffer> {
    yield head;
    for await (const chunk of stream) yield Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
    yield tail;
  }
  const response = await client.http.raw('post', '/api/files/{location}', {
    pathParams: { location },
    data: Readable.from(body(), { objectMode: false }),
    headers: {
      'Content-Type': `multipart/form-data; boundary=${boundary}`,
      ...(options.size === undefined ? {} : { 'Content-Length': String(head.length + options.size + tail.length) }),
    },
    onUploadProgress: progressOf(options),
    signal: options.signal,
  });
  return response.data as UploadResult;
}
