import type { UploadProgress } from './streams.js';

function responseHeaders(raw: string): Headers {
  const headers = new Headers();
  for (const line of raw.trim().split(/[\r\n]+/)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.append(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
  }
  return headers;
}

const NULL_BODY_STATUSES = new Set([204, 205, 304]);

/**
 * A `fetch` over `XMLHttpRequest`, for browsers: fetch cannot report upload progress there (it cannot stream a
 * request body over HTTP/1.1 either), XHR's `upload.onprogress` can. Fails and aborts the way fetch does, so the
 * caller handles both alike.
 */
export function xhrFetch(onProgress: (progress: UploadProgress) => void): typeof fetch {
  return (input, init = {}) =>
    new Promise<Response>((resolve, reject) => {
      const signal = init.signal ?? undefined;
      if (signal?.aborted === true) {
        reject(signal.reason);
        return;
      }
      const xhr = new XMLHttpRequest();
      xhr.open(init.method ?? 'GET', String(input instanceof Request ? input.url : input));
      xhr.responseType = 'blob';
      new Headers(init.headers).forEach((value, name) => xhr.setRequestHeader(name, value));
      xhr.upload.onprogress = (event) =>
        onProgress({ loaded: event.loaded, total: event.lengthComputable ? event.total : undefined });
      const onAbort = (): void => xhr.abort();
      signal?.addEventListener('abort', onAbort, { once: true });
      xhr.onload = () => {
        signal?.removeEventListener('abort', onAbort);
        const body = NULL_BODY_STATUSES.has(xhr.status) ? null : (xhr.response as Blob);
        resolve(
          new Response(body, {
            status: xhr.status,
            statusText: xhr.statusText,
            headers: responseHeaders(xhr.getAllResponseHeaders()),
          }),
        );
      };
      xhr.onerror = () => {
        signal?.removeEventListener('abort', onAbort);
        reject(new TypeError('Failed to fetch'));
      };
      xhr.onabort = () => reject(signal?.reason ?? new DOMException('The operation was aborted.', 'AbortError'));
      xhr.send((init.body ?? null) as XMLHttpRequestBodyInit | null);
    });
}
