import type { Readable } from 'node:stream';
import type { Http } from './http.js';
import type { BuildLog, BuildLogFilter, BuildLogId, BuildLogMeta } from './types.js';

/** A build log's body: text, bytes, or a Node stream (sent chunked, never buffered). */
export type BuildLogBody = string | Buffer | Uint8Array | Readable;

export interface BuildLogContentOptions {
  /** A `Range` header value such as `bytes=0-99` or `bytes=-500`. */
  range?: string;
  signal?: AbortSignal;
}

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

  /** The log's text (or one byte range of it); pass `{ stream: true }` to read a large log incrementally. */
  content(id: number, options?: BuildLogContentOptions & { stream?: false }): Promise<string>;
  content(id: number, options: BuildLogContentOptions & { stream: true }): Promise<Readable>;
  async content(id: number, options: BuildLogContentOptions & { stream?: boolean } = {}): Promise<string | Readable> {
    const response = await this.http.raw('get', '/api/v1/logs/{id}/content', {
      pathParams: { id },
      responseType: options.stream === true ? 'stream' : 'text',
      // Keep the bytes as sent: no JSON guessing on a log that happens to look like JSON.
      transformResponse: (data: unknown) => data,
      headers: options.range === undefined ? {} : { Range: options.range },
      signal: options.signal,
    });
    return response.data as string | Readable;
  }

  /** Publishes a log; the metadata goes in the query and the body is sent as `text/plain`. */
  async publish(meta: BuildLogMeta, body: BuildLogBody = ''): Promise<BuildLogId> {
    const response = await this.http.raw('post', '/api/v1/logs', {
      params: meta,
      data: body,
      headers: { 'Content-Type': 'text/plain; charset=utf-8' },
      transformRequest: (data: unknown) => data,
    });
    return (response.data as { data: BuildLogId }).data;
  }

  async delete(id: number): Promise<void> {
    await this.http.delete('/api/v1/logs/{id}', { path: { id } });
  }
}
