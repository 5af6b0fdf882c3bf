import type { HttpMethod, PathsWithMethod, SuccessResponseJSON } from 'openapi-typescript-helpers';
import {
  type ErrorBodies,
  type ErrorFamily,
  errorFamilyOf,
  HotendApiError,
  HotendNetworkError,
  HotendTimeoutError,
} from './errors.js';
import type { paths } from './generated/schema.js';
import { countBytes, isReadableStream, type UploadProgress } from './streams.js';
import { xhrFetch } from './xhr.js';

/** The operation object for a path and method, as generated from openapi.yaml. */
export type Operation<P extends keyof paths, M extends HttpMethod> =
  paths[P] extends Record<M, infer O extends Record<string | number, unknown>> ? O : never;

type ParametersOf<O> = O extends { parameters: infer P } ? P : never;
export type QueryOf<O> = ParametersOf<O> extends { query?: infer Q } ? NonNullable<Q> : never;
export type PathParamsOf<O> = ParametersOf<O> extends { path?: infer Q } ? NonNullable<Q> : never;
export type BodyOf<O> = O extends { requestBody?: { content: { 'application/json': infer B } } } ? B : never;
export type ResponseOf<O extends Record<string | number, unknown>> =
  SuccessResponseJSON<O> extends never ? void : SuccessResponseJSON<O>;

/** Options for one call: cancel it with `signal`, or give up after `timeout` milliseconds. */
export interface CallOptions {
  signal?: AbortSignal;
  timeout?: number;
}

export interface RequestOptions<O> extends CallOptions {
  /** Values for `{name}` placeholders in the path. */
  path?: PathParamsOf<O>;
  query?: QueryOf<O>;
  headers?: Record<string, string>;
}

/** Query values: arrays repeat the key (`files=a&files=b`, as OctoPrint's bulk download expects). */
export type QueryValues = Record<string, string | number | boolean | readonly (string | number)[] | undefined>;

/** A request whose body or answer is not JSON: the path is still checked against the spec. */
export interface RawRequest extends CallOptions {
  pathParams?: Record<string, unknown>;
  query?: QueryValues;
  headers?: Record<string, string>;
  body?: RequestBody;
  /**
   * Reports the request body going out: through XMLHttpRequest where there is one (browsers), else by counting the
   * bytes of the body stream as fetch reads it (Node).
   */
  onUploadProgress?: (progress: UploadProgress) => void;
  /** The byte length of a stream body, when known: sent as Content-Length and as the progress total. */
  bodySize?: number;
}

export type RequestBody = string | Uint8Array | Blob | FormData | ReadableStream<Uint8Array>;

export interface HttpOptions extends CallOptions {
  baseUrl: string;
  apiKey?: string;
  headers?: Record<string, string>;
  /** The fetch to use (default: the platform's `fetch`), e.g. one with a proxy or test instrumentation. */
  fetch?: typeof fetch;
}

function fillPath(template: string, values: Record<string, unknown> | undefined): string {
  return template.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const value = values?.[name];
    if (value === undefined) throw new TypeError(`Missing path parameter "${name}" for ${template}`);
    return encodeURIComponent(String(value));
  });
}

function queryString(query: QueryValues | undefined): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) search.append(key, String(item));
  }
  const text = search.toString();
  return text === '' ? '' : `?${text}`;
}

/** One signal for the caller's signal and the timeout, and a way to tell which one fired. */
function callSignal(call: CallOptions): { signal: AbortSignal | undefined; timedOut: () => boolean } {
  const timeout = call.timeout !== undefined && call.timeout > 0 ? AbortSignal.timeout(call.timeout) : undefined;
  const signals = [call.signal, timeout].filter((signal): signal is AbortSignal => signal !== undefined);
  const signal = signals.length > 1 ? AbortSignal.any(signals) : signals[0];
  return { signal, timedOut: () => timeout?.aborted === true && call.signal?.aborted !== true };
}

async function parseBody(response: Response): Promise<unknown> {
  const text = await response.text();
  const type = response.headers.get('content-type') ?? '';
  if (text !== '' && (type.includes('json') || text.startsWith('{'))) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      // keep the text as it came
    }
  }
  return text;
}

/** A body as a stream of its encoded bytes (a form gets its boundary into `headers`), and its size when known. */
function asStream(
  body: Exclude<RequestBody, ReadableStream<Uint8Array>> | undefined,
  headers: Record<string, string>,
): { body: ReadableStream<Uint8Array>; size: number | undefined } {
  const encoded = new Response(body as BodyInit | undefined);
  const type = encoded.headers.get('content-type');
  if (type !== null && !Object.keys(headers).some((name) => name.toLowerCase() === 'content-type')) {
    headers['content-type'] = type;
  }
  const size =
    body === undefined
      ? 0
      : typeof body === 'string'
        ? new TextEncoder().encode(body).byteLength
        : body instanceof Blob
          ? body.size
          : body instanceof Uint8Array
            ? body.byteLength
            : undefined;
  return { body: encoded.body ?? new Blob([]).stream(), size };
}

/**
 * A thin typed layer over `fetch`: paths, bodies, queries and responses come from the generated `paths`, so a
 * wrong path, method or body is a compile error and no call site needs a generic. Runs in browsers and Node.
 */
export class Http {
  readonly baseUrl: string;

  constructor(
    private readonly options: HttpOptions,
    private readonly defaults: CallOptions = { timeout: options.timeout, signal: options.signal },
  ) {
    this.baseUrl = options.baseUrl.replace(/\/$/, '');
  }

  /** The same connection with other call options (signal, timeout) for every call made through it. */
  with(call: CallOptions): Http {
    return new Http(this.options, { ...this.defaults, ...call });
  }

  async get<P extends PathsWithMethod<paths, 'get'>>(
    path: P,
    options?: RequestOptions<Operation<P, 'get'>>,
  ): Promise<ResponseOf<Operation<P, 'get'>>> {
    return (await this.send('get', path, undefined, options)) as ResponseOf<Operation<P, 'get'>>;
  }

  async post<P extends PathsWithMethod<paths, 'post'>>(
    path: P,
    body?: BodyOf<Operation<P, 'post'>>,
    options?: RequestOptions<Operation<P, 'post'>>,
  ): Promise<ResponseOf<Operation<P, 'post'>>> {
    return (await this.send('post', path, body, options)) as ResponseOf<Operation<P, 'post'>>;
  }

  async put<P extends PathsWithMethod<paths, 'put'>>(
    path: P,
    body?: BodyOf<Operation<P, 'put'>>,
    options?: RequestOptions<Operation<P, 'put'>>,
  ): Promise<ResponseOf<Operation<P, 'put'>>> {
    return (await this.send('put', path, body, options)) as ResponseOf<Operation<P, 'put'>>;
  }

  async delete<P extends PathsWithMethod<paths, 'delete'>>(
    path: P,
    options?: RequestOptions<Operation<P, 'delete'>>,
  ): Promise<ResponseOf<Operation<P, 'delete'>>> {
    return (await this.send('delete', path, undefined, options)) as ResponseOf<Operation<P, 'delete'>>;
  }

  /** Sends a request and resolves to the successful `Response` unread (text, streams, form bodies). */
  raw<P extends keyof paths>(method: HttpMethod, path: P, request: RawRequest = {}): Promise<Response> {
    const { pathParams, query, headers, body, onUploadProgress, bodySize, ...call } = request;
    const url = `${fillPath(path, pathParams)}${queryString(query)}`;
    return this.request(method, url, { headers, body, onUploadProgress, bodySize }, call);
  }

  /** The absolute URL of a path, e.g. for a link a browser follows. */
  url<P extends keyof paths>(path: P, pathParams?: Record<string, unknown>, query?: string): string {
    return `${this.baseUrl}${fillPath(path, pathParams)}${query ? `?${query}` : ''}`;
  }

  private async send<O>(
    method: HttpMethod,
    path: string,
    body: unknown,
    options: RequestOptions<O> | undefined,
  ): Promise<unknown> {
    const { path: pathParams, query, headers, ...call } = options ?? {};
    const url = `${fillPath(path, pathParams as Record<string, unknown> | undefined)}${queryString(query as QueryValues | undefined)}`;
    const jsonHeaders: Record<string, string> = body === undefined ? {} : { 'content-type': 'application/json' };
    const response = await this.request(
      method,
      url,
      { headers: { ...headers, ...jsonHeaders }, body: body === undefined ? undefined : JSON.stringify(body) },
      call,
    );
    return response.status === 204 ? undefined : parseBody(response);
  }

  private async request(
    method: HttpMethod,
    url: string,
    init: Pick<RawRequest, 'headers' | 'body' | 'onUploadProgress' | 'bodySize'>,
    call: CallOptions,
  ): Promise<Response> {
    const merged = { ...this.defaults, ...call };
    const { signal, timedOut } = callSignal(merged);
    const headers: Record<string, string> = {
      ...(this.options.apiKey ? { 'X-Api-Key': this.options.apiKey } : {}),
      ...this.options.headers,
      ...init.headers,
    };
    let body = init.body;
    let size = init.bodySize;
    let send = this.options.fetch ?? fetch;
    if (init.onUploadProgress !== undefined) {
      if (!isReadableStream(body) && typeof XMLHttpRequest === 'function') send = xhrFetch(init.onUploadProgress);
      else {
        if (!isReadableStream(body)) ({ body, size } = asStream(body, headers));
        body = countBytes(body, size, init.onUploadProgress);
      }
    }
    const streaming = isReadableStream(body);
    if (streaming && size !== undefined) headers['content-length'] = String(size);
    let response: Response;
    try {
      response = await send(`${this.baseUrl}${url}`, {
        method: method.toUpperCase(),
        headers,
        body,
        signal,
        // Node's fetch needs this to send a stream; browsers ignore it.
        ...(streaming ? { duplex: 'half' } : {}),
      } as RequestInit);
    } catch (error) {
      if (timedOut()) throw new HotendTimeoutError(method, url, merged.timeout ?? 0, error);
      if (merged.signal?.aborted === true) throw error;
      throw new HotendNetworkError(method, url, { cause: error });
    }
    if (response.ok) return response;
    const path = url.split('?')[0] ?? url;
    throw new HotendApiError(
      response.status,
      errorFamilyOf(path),
      (await parseBody(response)) as ErrorBodies[ErrorFamily],
      method,
      url,
    );
  }
}

export function createHttp(options: HttpOptions): Http {
  return new Http(options);
}
