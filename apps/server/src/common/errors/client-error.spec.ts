import { connect, createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { answerClientError } from './client-error.js';

/** Answers one connection with `answerClientError(error)` and returns what the client read. */
async function answerOf(error: Error & { code?: string; rawPacket?: unknown }): Promise<string> {
  server = createServer((socket) => answerClientError(error, socket));
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no address');
  return new Promise((resolve) => {
    const client = connect(address.port, '127.0.0.1');
    let text = '';
    client.on('data', (data: Buffer) => (text += data.toString('latin1')));
    client.on('end', () => {
      client.destroy();
      resolve(text);
    });
  });
}

let server: Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server === undefined ? resolve() : server.close(() => resolve()))));

const failure = (code: string, rawPacket?: string): Error & { code: string; rawPacket?: Buffer } =>
  Object.assign(new Error(code), { code, ...(rawPacket === undefined ? {} : { rawPacket: Buffer.from(rawPacket) }) });

describe('answerClientError', () => {
  it('answers a timeout on a build-log path in the Vieter envelope', async () => {
    expect(await answerOf(failure('ERR_HTTP_REQUEST_TIMEOUT', 'POST /api/v1/logs?x=1 HTTP/1.1\r\nhost: a\r\n'))).toBe(
      'HTTP/1.1 408 Request Timeout\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: 58\r\n' +
        'Connection: close\r\n\r\n{"message":"The request did not arrive in time","data":""}',
    );
  });

  it('answers oversized headers on an escaped /log path in plain text', async () => {
    const answer = await answerOf(failure('HPE_HEADER_OVERFLOW', 'GET /lo%67 HTTP/1.1\r\nx-big: aaaa'));
    expect(answer).toMatch(/^HTTP\/1\.1 431 /);
    expect(answer).toMatch(/text\/plain[\s\S]*\r\n\r\nRequest headers are larger than the server accepts$/);
  });

  it('answers bytes that are not HTTP, with no path to go by, in the OctoPrint envelope', async () => {
    const answer = await answerOf(failure('HPE_INVALID_METHOD', '\u0016\u0003\u0001 binary'));
    expect(answer).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n[\s\S]*\r\n\r\n\{"error":"Malformed HTTP request"\}$/);
  });
});
