import { type DownloadOptions, rangeHeader } from './byte-range.js';
import type { Http } from './http.js';
import { type ByteSource, toReadableStream } from './streams.js';
import type { BuildLog, BuildLogFilter, BuildLogId, BuildLogMeta } from './types.js';

/**
 * A build log's body: text, bytes, a Blob, or a stream (sent chunked, never buffered; streams need Node or a
 * browser that streams uploads — in a page, pass text or a Blob). Node's `Readable` is an async iterable of bytes.
 */
export type BuildLogBody = string | Uint8Array | Blob | ByteSource;

/** `/api/v1/logs`: Vieter's build-log store. */
export class BuildLogsApi {
  constructor(private readonly http: Http) {}

  /** Build logs matching the filter, oldest id first (25 by default, at most 1000 per call). */
  async list(filter: BuildLogFilter = {}): Promise<BuildLog[]> {
    return (await this.http.get('/api/v1/logs', { query: filter })).data;
  }

  async get(id: number): Promise<BuildLog> {
    return (await this.http.get('/api/v1/logs/{id}', { path: { id } })).data;
  }

  /** The log's text, or one byte range of it (`{ range: { last: 4096 } }`). */
  async content(id: number, options: DownloadOptions = {}): Promise<string> {
    return (await this.contentResponse(id, options)).text();
  }

  /** The log as a web stream of bytes, to read a large log incrementally (`@hotend/sdk/node` gives a Node stream). */
  async contentStream(id: number, options: DownloadOptions = {}): Promise<ReadableStream<Uint8Array>> {
    const response = await this.contentResponse(id, options);
    return response.body ?? new Blob([]).stream();
  }

  /** Publishes a log; the metadata goes in the query and the body is sent as `text/plain`. */
  async publish(meta: BuildLogMeta, body: BuildLogBody = ''): Promise<BuildLogId> {
    const response = await this.http.raw('post', '/api/v1/logs', {
      query: meta,
      body:
        typeof body === 'string' || body instanceof Uint8Array || body instanceof Blob ? body : toReadableStream(body),
      headers: { 'content-type': 'text/plain; charset=utf-8' },
    });
    return ((await response.json()) as { data: BuildLogId }).data;
  }

  async delete(id: number): Promise<void> {
    await this.http.delete('/api/v1/logs/{id}', { path: { id } });
  }

  private contentResponse(id: number, { range, ...call }: DownloadOptions): Promise<Response> {
    return this.http.raw('get', '/api/v1/logs/{id}/content', {
      pathParams: { id },
      headers: range === undefined ? {} : { range: rangeHeader(range) },
      ...call,
    });
  }
}
