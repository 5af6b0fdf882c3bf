import type { components } from './generated/schema.js';

/** OctoPrint's error body: `{"error": "..."}` (every path outside the two below). */
export type OctoPrintErrorBody = components['schemas']['OctoPrintError'];
/** The build-log store's error body: `{"message": "...", "data": ""}` (`/api/v1/...`). */
export type BuildLogErrorBody = components['schemas']['BuildLogError'];

/** Each part of the API answers errors its own way; the family follows from the path, as on the server. */
export type ErrorFamily = 'octoprint' | 'buildLogs' | 'plex';

/**
 * The error body each family answers with. A body that is not JSON (a plain-text 401, a proxy's HTML page) stays
 * the text it was.
 */
export interface ErrorBodies {
  octoprint: OctoPrintErrorBody | string;
  buildLogs: BuildLogErrorBody | string;
  plex: string;
}

export function errorFamilyOf(path: string): ErrorFamily {
  if (path.startsWith('/api/v1/') || path === '/api/v1') return 'buildLogs';
  if (path === '/log' || path.startsWith('/log/') || path.startsWith('/log?')) return 'plex';
  return 'octoprint';
}

function messageOf(body: unknown): string {
  if (typeof body === 'string') return body || '(empty body)';
  if (body !== null && typeof body === 'object') {
    const record = body as Record<string, unknown>;
    for (const key of ['error', 'message']) {
      const value = record[key];
      if (typeof value === 'string' && value !== '') return value;
    }
  }
  return JSON.stringify(body);
}

/**
 * The server answered with a non-2xx status. `family` says which error body `body` is; narrow with `is`:
 *
 * ```ts
 * if (error instanceof HotendApiError && error.is('octoprint') && typeof error.body === 'object') error.body.error;
 * ```
 */
export class HotendApiError<F extends ErrorFamily = ErrorFamily> extends Error {
  override readonly name: string = 'HotendApiError';

  constructor(
    readonly status: number,
    readonly family: F,
    readonly body: ErrorBodies[F],
    readonly method: string,
    readonly url: string,
  ) {
    super(`${method.toUpperCase()} ${url} failed with ${status}: ${messageOf(body)}`);
  }

  is<G extends ErrorFamily>(family: G): this is HotendApiError<G> {
    return (this.family as ErrorFamily) === family;
  }
}

/**
 * No answer came: the server is unreachable, the connection broke, or a browser refused the answer (CORS: the
 * page's origin is not in the server's `server.cors.origins`). `cause` is what the platform reported.
 */
export class HotendNetworkError extends Error {
  override readonly name: string = 'HotendNetworkError';

  constructor(
    readonly method: string,
    readonly url: string,
    options: { cause: unknown; message?: string },
  ) {
    super(options.message ?? `${method.toUpperCase()} ${url}: no answer from the server (${describe(options.cause)})`, {
      cause: options.cause,
    });
  }
}

/** No answer within the call's `timeout` (milliseconds). */
export class HotendTimeoutError extends HotendNetworkError {
  override readonly name: string = 'HotendTimeoutError';

  constructor(method: string, url: string, timeout: number, cause: unknown) {
    super(method, url, { cause, message: `${method.toUpperCase()} ${url}: no answer within ${timeout} ms` });
  }
}

function describe(cause: unknown): string {
  if (cause instanceof Error) {
    const inner = (cause as { cause?: unknown }).cause;
    return inner instanceof Error ? `${cause.message}: ${inner.message}` : cause.message;
  }
  return String(cause);
}
