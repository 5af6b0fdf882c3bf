import axios, { type AxiosInstance, type AxiosRequestConfig, type AxiosResponse, type Method } from 'axios';
import type { HttpMethod, PathsWithMethod, SuccessResponseJSON } from 'openapi-typescript-helpers';
import type { paths } from './generated/schema.js';

/** The operation object for a path and method, as generated from openapi.yaml. */
export type Operation<P extends keyof paths, M extends HttpMethod> =
  paths[P] extends Record<M, infer O extends Record<string | number, unknown>> ? O : never;

type ParametersOf<O> = O extends { parameters: infer P } ? P : never;
export type QueryOf<O> = ParametersOf<O> extends { query?: infer Q } ? NonNullable<Q> : never;
export type PathParamsOf<O> = ParametersOf<O> extends { path?: infer Q } ? NonNullable<Q> : never;
export type BodyOf<O> = O extends { requestBody?: { content: { 'application/json': infer B } } } ? B : never;
export type ResponseOf<O extends Record<string | number, unknown>> =
  SuccessResponseJSON<O> extends never ? void : SuccessResponseJSON<O>;

export interface RequestOptions<O> {
  /** Values for `{name}` placeholders in the path. */
  path?: PathParamsOf<O>;
  query?: QueryOf<O>;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

/** A non-2xx answer: the status, the parsed body, and the server's message (`error` or `message` field). */
export class HotendApiError extends Error {
  override readonly name = 'HotendApiError';

  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly method: string,
    readonly url: string,
  ) {
    super(`${method.toUpperCase()} ${url} failed with ${status}: ${HotendApiError.messageOf(body)}`);
  }

  private static messageOf(body: unknown): string {
    if (typeof body === 'string') return body || '(empty body)';
    if (body !== null && typeof body === 'object') {
      const record = body as Record<string, unknown>;
      for (const key of ['error', 'message']) {
        if (typeof record[key] === 'string' && record[key] !== '') return record[key];
      }
    }
    return JSON.stringify(body);
  }
}

function fillPath(template: string, values: Record<string, unknown> | undefined): string {
  return template.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const value = values?.[name];
    if (value === undefined) throw new TypeError(`Missing path parameter "${name}" for ${template}`);
    return encodeURIComponent(String(value));
  });
}

/**
 * A thin typed layer over axios: paths, bodies, queries and responses come from the generated `paths`, so a
 * wrong path, method or body is a compile error and no call site needs a generic.
 */
export class Http {
  constructor(readonly axios: AxiosInstance) {}

  async get<P extends PathsWithMethod<paths, 'get'>>(
    path: P,
    options?: RequestOptions<Operation<P, 'get'>>,
  ): Promise<ResponseOf<Operation<P, 'get'>>> {
    return (await this.send('get', path, undefined, options)).data as ResponseOf<Operation<P, 'get'>>;
  }

  async post<P extends PathsWithMethod<paths, 'post'>>(
    path: P,
    body?: BodyOf<Operation<P, 'post'>>,
    options?: RequestOptions<Operation<P, 'post'>>,
  ): Promise<ResponseOf<Operation<P, 'post'>>> {
    return (await this.send('post', path, body, options)).data as ResponseOf<Operation<P, 'post'>>;
  }

  async put<P extends PathsWithMethod<paths, 'put'>>(
    path: P,
    body?: BodyOf<Operation<P, 'put'>>,
    options?: RequestOptions<Operation<P, 'put'>>,
  ): Promise<ResponseOf<Operation<P, 'put'>>> {
    return (await this.send('put', path, body, options)).data as ResponseOf<Operation<P, 'put'>>;
  }

  async delete<P extends PathsWithMethod<paths, 'delete'>>(
    path: P,
    options?: RequestOptions<Operation<P, 'delete'>>,
  ): Promise<ResponseOf<Operation<P, 'delete'>>> {
    return (await this.send('delete', path, undefined, options)).data as ResponseOf<Operation<P, 'delete'>>;
  }

  /**
   * For endpoints whose body or answer is not JSON (plain text, streams, form bodies): the path is still
   * checked against the spec; the caller chooses the axios options (responseType, content type).
   */
  async raw<P extends keyof paths>(
    method: HttpMethod,
    path: P,
    config: AxiosRequestConfig & { pathParams?: Record<string, unknown> } = {},
  ): Promise<AxiosResponse> {
    const { pathParams, ...rest } = config;
    return this.request({ ...rest, method: method as Method, url: fillPath(path, pathParams) });
  }

  /** The absolute URL of a path, e.g. for a link a browser follows. */
  url<P extends keyof paths>(path: P, pathParams?: Record<string, unknown>, query?: string): string {
    const base = (this.axios.defaults.baseURL ?? '').replace(/\/$/, '');
    return `${base}${fillPath(path, pathParams)}${query ? `?${query}` : ''}`;
  }

  private send<O>(method: HttpMethod, path: string, body: unknown, options: RequestOptions<O> | undefined) {
    return this.request({
      method: method as Method,
      url: fillPath(path, options?.path as Record<string, unknown> | undefined),
      params: options?.query,
      data: body,
      headers: options?.headers,
      signal: options?.signal,
    });
  }

  private async request(config: AxiosRequestConfig): Promise<AxiosResponse> {
    const response = await this.axios.request({ ...config, validateStatus: () => true });
    if (response.status >= 200 && response.status < 300) return response;
    let body: unknown = response.data;
    if (config.responseType === 'stream' && body !== null && typeof body === 'object' && Symbol.asyncIterator in body) {
      body = await readAll(body as AsyncIterable<Buffer>);
    }
    if (typeof body === 'string' && body.startsWith('{')) {
      try {
        body = JSON.parse(body) as unknown;
      } catch {
        // keep the text as it came
      }
    }
    throw new HotendApiError(response.status, body, config.method ?? 'get', config.url ?? '');
  }
}

async function readAll(stream: AsyncIterable<Buffer>): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

export interface HttpOptions {
  baseUrl: string;
  apiKey?: string;
  /** Request timeout in milliseconds (default: none). */
  timeout?: number;
  headers?: Record<string, string>;
}

export function createHttp(options: HttpOptions): Http {
  const instance = axios.create({
    baseURL: options.baseUrl.replace(/\/$/, ''),
    timeout: options.timeout ?? 0,
    headers: { ...(options.apiKey ? { 'X-Api-Key': options.apiKey } : {}), ...options.headers },
    // `files=a&files=b`, as OctoPrint's bulk download expects, rather than axios' `files[]=`.
    paramsSerializer: { indexes: null },
    maxContentLength: Infinity,
    maxBodyLength: Infinity,
  });
  return new Http(instance);
}
