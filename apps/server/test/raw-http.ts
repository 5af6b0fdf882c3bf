import { connect } from 'node:net';

export interface UploadOutcome {
  /** The answer's status line, or '' when none arrived. */
  readonly statusLine: string;
  /** Everything the server sent. */
  readonly response: string;
  /** Body bytes written before the server stopped taking them (or `stopAfterBytes`). */
  readonly bytesWritten: number;
  /** Whether the server closed the connection before `stopAfterBytes` were written. */
  readonly closedEarly: boolean;
}

/**
 * Starts an upload over a raw socket that announces `declaredLength` bytes and writes as fast as the server takes
 * them, reading the answer while it writes (as curl and browsers do). Stops after `stopAfterBytes`, when the
 * connection closes, or `giveUpMs` after the answer arrived if the server keeps reading.
 */
export function unboundedUpload(
  baseUrl: string,
  path: string,
  options: {
    headers?: Record<string, string>;
    /** The Content-Length to announce; undefined sends the body chunked. */
    declaredLength: number | undefined;
    stopAfterBytes: number;
    giveUpMs?: number;
  },
): Promise<UploadOutcome> {
  const { hostname, port } = new URL(baseUrl);
  const payload = Buffer.alloc(256 * 1024, 0x61);
  const chunk =
    options.declaredLength === undefined
      ? Buffer.concat([Buffer.from(`${payload.length.toString(16)}\r\n`), payload, Buffer.from('\r\n')])
      : payload;
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    let response = '';
    let written = 0;
    let closed = false;
    let settled = false;
    const finish = (): void => {
      if (settled) return;
      settled = true;
      const statusLine = response.split('\r\n')[0] ?? '';
      resolve({ statusLine, response, bytesWritten: written, closedEarly: closed && written < options.stopAfterBytes });
      socket.destroy();
    };
    socket.on('data', (data: Buffer) => {
      const first = response === '';
      response += data.toString('latin1');
      if (first) setTimeout(finish, options.giveUpMs ?? 3000).unref();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      closed = true;
      finish();
    });
    const head = Object.entries({ host: `${hostname}:${port}`, ...options.headers })
      .map(([name, value]) => `${name}: ${value}\r\n`)
      .join('');
    const framing =
      options.declaredLength === undefined ? 'transfer-encoding: chunked' : `content-length: ${options.declaredLength}`;
    socket.write(`POST ${path} HTTP/1.1\r\n${head}${framing}\r\n\r\n`);
    const pump = (): void => {
      while (!socket.destroyed && written < options.stopAfterBytes) {
        written += payload.length;
        if (!socket.write(chunk)) {
          socket.once('drain', pump);
          return;
        }
      }
      if (written >= options.stopAfterBytes) finish();
    };
    pump();
  });
}

/** Sends raw bytes and collects the whole answer until the server closes (or `timeoutMs`). */
export function rawExchange(baseUrl: string, request: string | Buffer, timeoutMs = 5000): Promise<string> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    let response = '';
    const timer = setTimeout(() => socket.destroy(), timeoutMs);
    socket.on('data', (data: Buffer) => (response += data.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(response);
    });
    socket.write(request);
  });
}
