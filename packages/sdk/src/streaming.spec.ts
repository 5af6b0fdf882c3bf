import { createServer, type IncomingMessage, type Server } from 'node:http';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HotendClient } from './client.js';
import { uploadStream } from './node.js';
import type { UploadProgress } from './streams.js';

interface Received {
  headers: IncomingMessage['headers'];
  body: string;
}

/**
 * Request bodies on the wire: a real HTTP server tells the test when each chunk arrived, so a source that only
 * yields its next chunk after the server has the previous one deadlocks (and the test times out) if the SDK reads
 * the whole body before sending it.
 */
describe('streamed request bodies', () => {
  let server: Server;
  let client: HotendClient;
  let chunkArrived: () => void = () => {};
  let received: Received | undefined;

  beforeAll(async () => {
    server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        chunkArrived();
      });
      request.on('end', () => {
        received = { headers: request.headers, body: Buffer.concat(chunks).toString('utf8') };
        const answer = request.url?.startsWith('/api/v1/logs')
          ? { data: { id: 7 } }
          : { done: true, files: { local: { path: 'x' } } };
        response.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    client = new HotendClient({ baseUrl: `http://127.0.0.1:${(server.address() as { port: number }).port}` });
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  /** Yields `count` lines, each only once the server has received bytes since the previous one. */
  async function* gated(count: number): AsyncGenerator<Buffer> {
    for (let index = 0; index < count; index += 1) {
      const arrived = new Promise<void>((resolve) => (chunkArrived = resolve));
      yield Buffer.from(`line ${index}\n`);
      await arrived;
    }
  }
  const expected = (count: number): string => Array.from({ length: count }, (_, index) => `line ${index}\n`).join('');

  it('publishes a build log from a stream chunk by chunk, never holding it whole', async () => {
    const meta = { startTime: 1, endTime: 2, arch: 'x86_64', exitCode: 0, target: 3 };
    expect(await client.buildLogs.publish(meta, Readable.from(gated(20)))).toEqual({ id: 7 });
    expect(received?.body).toBe(expected(20));
    expect(received?.headers['transfer-encoding']).toBe('chunked');
  });

  it('uploads a Node stream chunk by chunk, fields first, with progress', async () => {
    const progress: UploadProgress[] = [];
    await uploadStream(
      client,
      'local',
      Readable.from(gated(20)),
      { path: 'parts', print: true },
      {
        filename: 'a "b".gcode',
        onProgress: (event) => progress.push(event),
      },
    );
    const boundary = /boundary=(\S+)/.exec(received?.headers['content-type'] ?? '')?.[1] ?? '';
    expect(boundary).not.toBe('');
    expect(received?.body).toBe(
      `--${boundary}\r\nContent-Disposition: form-data; name="path"\r\n\r\nparts\r\n` +
        `--${boundary}\r\nContent-Disposition: form-data; name="print"\r\n\r\ntrue\r\n` +
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a %22b%22.gcode"\r\n` +
        `Content-Type: application/octet-stream\r\n\r\n${expected(20)}\r\n--${boundary}--\r\n`,
    );
    expect(progress.length).toBeGreaterThan(20);
    expect(progress.at(-1)).toEqual({ loaded: received?.body.length, total: undefined });
  });

  it('sends Content-Length and reports the total when the size is known', async () => {
    const text = 'G1 X1\n'.repeat(50_000);
    const progress: UploadProgress[] = [];
    await client.files.upload(
      'local',
      new Blob([text]),
      { filename: 'big.gcode' },
      {
        onProgress: (event) => progress.push(event),
      },
    );
    const length = Number(received?.headers['content-length']);
    expect(length).toBe(received?.body.length);
    expect(received?.body).toContain(text);
    expect(progress.length).toBeGreaterThan(1);
    expect(progress.every((event) => event.total === length)).toBe(true);
    expect(progress.at(-1)?.loaded).toBe(length);
  });

  it('stops a stream upload when its signal aborts', async () => {
    const controller = new AbortController();
    const endless = Readable.from(
      (async function* () {
        for (;;) {
          yield Buffer.from('G1 X1\n');
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
      })(),
    );
    setTimeout(() => controller.abort(), 100);
    const error = await client.files
      .uploadStream('local', endless, {}, { filename: 'never.gcode', signal: controller.signal })
      .catch((caught: unknown) => caught);
    expect((error as Error).name).toBe('AbortError');
  });
});
