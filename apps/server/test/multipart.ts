import { randomBytes } from 'node:crypto';
import { request } from 'node:http';

/** One part of a hand-built multipart body, so tests send exactly the bytes a given client sends. */
export interface FormPart {
  readonly name: string;
  readonly value: string | Buffer;
  /** Set for a file part. */
  readonly filename?: string;
  readonly contentType?: string;
  /** Extra raw header lines (e.g. a `filename*` form of Content-Disposition). */
  readonly disposition?: string;
}

export interface RawForm {
  readonly body: Buffer;
  readonly contentType: string;
}

export function buildForm(
  parts: readonly FormPart[],
  boundary = `----hotend${randomBytes(8).toString('hex')}`,
): RawForm {
  const chunks: Buffer[] = [];
  for (const part of parts) {
    const disposition =
      part.disposition ??
      `form-data; name="${part.name}"${part.filename === undefined ? '' : `; filename="${part.filename}"`}`;
    let head = `--${boundary}\r\nContent-Disposition: ${disposition}\r\n`;
    if (part.contentType !== undefined) head += `Content-Type: ${part.contentType}\r\n`;
    chunks.push(
      Buffer.from(`${head}\r\n`),
      Buffer.isBuffer(part.value) ? part.value : Buffer.from(part.value),
      Buffer.from('\r\n'),
    );
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

export interface RawResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
  json<T = Record<string, unknown>>(): T;
}

/** POSTs a built form with Content-Length, as slicers do. */
export async function postForm(url: string, form: RawForm, headers: Record<string, string> = {}): Promise<RawResponse> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': form.contentType, ...headers },
    body: form.body,
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: Object.fromEntries(response.headers.entries()),
    text,
    json: <T>() => JSON.parse(text) as T,
  };
}

/**
 * Sends the head of a large multipart upload and then drops the connection mid-file, as a client that crashes or
 * loses its network does. Resolves once the socket is closed.
 */
export function abortedUpload(
  url: string,
  headers: Record<string, string>,
  declaredBytes: number,
  sentBytes: number,
): Promise<void> {
  const boundary = '----hotendabort';
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="aborted.gcode"\r\n` +
      'Content-Type: application/octet-stream\r\n\r\n',
  );
  return new Promise((resolve) => {
    const target = new URL(url);
    const call = request({
      host: target.hostname,
      port: target.port,
      path: target.pathname,
      method: 'POST',
      headers: {
        ...headers,
        'content-type': `multipart/form-data; boundary=${boundary}`,
        'content-length': String(head.length + declaredBytes),
      },
    });
    call.on('error', () => resolve());
    call.on('close', () => resolve());
    call.write(head);
    const chunk = Buffer.alloc(64 * 1024, 'G1 X1 Y1\n');
    let sent = 0;
    const pump = (): void => {
      while (sent < sentBytes) {
        sent += chunk.length;
        if (!call.write(chunk)) {
          call.once('drain', pump);
          return;
        }
      }
      setTimeout(() => call.destroy(), 50);
    };
    pump();
  });
}
