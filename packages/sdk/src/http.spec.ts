import { createServer, type IncomingMessage, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HotendClient } from './client.js';
import { HotendApiError, HotendNetworkError, HotendTimeoutError } from './errors.js';

/** A tiny real HTTP server that records requests and answers as told, so the client is tested on the wire. */
describe('HotendClient HTTP layer', () => {
  let server: Server;
  let base: string;
  const seen: { method?: string; url?: string; headers: IncomingMessage['headers'] }[] = [];
  let answer: { status: number; type: string; body: string } = { status: 200, type: 'application/json', body: '{}' };

  beforeAll(async () => {
    server = createServer((request, response) => {
      seen.push({ method: request.method, url: request.url, headers: request.headers });
      response.writeHead(answer.status, { 'content-type': answer.type }).end(answer.body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (address === null || typeof address !== 'object') throw new Error('no address');
    base = `http://127.0.0.1:${address.port}/`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('sends the key as X-Api-Key and returns the parsed body', async () => {
    answer = { status: 200, type: 'application/json', body: '{"api":"0.1","server":"9.9.9","text":"Hotend 9.9.9"}' };
    const version = await new HotendClient({ baseUrl: base, apiKey: 'k-123' }).version.get();
    expect(version).toEqual({ api: '0.1', server: '9.9.9', text: 'Hotend 9.9.9' });
    expect(seen.at(-1)).toMatchObject({ method: 'GET', url: '/api/version' });
    expect(seen.at(-1)?.headers['x-api-key']).toBe('k-123');
  });

  it('sends no key header when none is configured', async () => {
    answer = { status: 200, type: 'application/json', body: '{"name":null,"permissions":[],"groups":["guests"]}' };
    await new HotendClient({ baseUrl: base }).currentUser.get();
    expect(seen.at(-1)?.headers['x-api-key']).toBeUndefined();
  });

  it('rejects with HotendApiError carrying status, body and the server message', async () => {
    answer = { status: 403, type: 'application/json', body: '{"error":"The API key is not valid"}' };
    const error = await new HotendClient({ baseUrl: base, apiKey: 'bad' }).server.get().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HotendApiError);
    expect(error).toMatchObject({ status: 403, body: { error: 'The API key is not valid' } });
    expect((error as Error).message).toBe('GET /api/server failed with 403: The API key is not valid');
  });

  it('keeps a plain-text error body as text', async () => {
    answer = { status: 401, type: 'text/plain', body: '401 Unauthorized' };
    const error = await new HotendClient({ baseUrl: base }).version.get().catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 401, body: '401 Unauthorized' });
  });

  it('types the error body by family: OctoPrint, build logs, Plex', async () => {
    answer = { status: 404, type: 'application/json', body: '{"message":"No build log has id 7","data":""}' };
    const buildLog = await new HotendClient({ baseUrl: base }).buildLogs.get(7).catch((e: unknown) => e);
    expect(buildLog).toBeInstanceOf(HotendApiError);
    const error = buildLog as HotendApiError;
    expect(error.family).toBe('buildLogs');
    expect(error.is('buildLogs') && typeof error.body === 'object' ? error.body.message : '').toBe(
      'No build log has id 7',
    );

    answer = { status: 400, type: 'text/plain', body: 'level is missing' };
    const plex = (await new HotendClient({ baseUrl: base }).log.write([]).catch((e: unknown) => e)) as HotendApiError;
    expect({ family: plex.family, body: plex.body }).toEqual({ family: 'plex', body: 'level is missing' });
  });

  it('sends a range the same way for every download', async () => {
    answer = { status: 206, type: 'text/plain', body: 'abc' };
    const client = new HotendClient({ baseUrl: base });
    expect(await client.buildLogs.content(3, { range: { last: 3 } })).toBe('abc');
    expect(seen.at(-1)?.headers['range']).toBe('bytes=-3');
    await client.plugins.logging.downloadLog('hotend.log', { range: { start: 2, end: 4 } });
    expect(seen.at(-1)?.headers['range']).toBe('bytes=2-4');
  });

  it('rejects with HotendNetworkError when no server answers', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as { port: number };
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const error = await new HotendClient({ baseUrl: `http://127.0.0.1:${port}` }).version
      .get()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HotendNetworkError);
    expect(error).not.toBeInstanceOf(HotendApiError);
    expect((error as Error).message).toMatch(/^GET \/api\/version: no answer from the server/);
  });

  it('gives up after a per-call timeout, and lets the caller abort', async () => {
    const slow = createServer((_request, response) => {
      setTimeout(() => response.writeHead(200, { 'content-type': 'application/json' }).end('{}'), 2000).unref();
    });
    await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve));
    const client = new HotendClient({ baseUrl: `http://127.0.0.1:${(slow.address() as { port: number }).port}` });
    try {
      const timedOut = await client
        .with({ timeout: 50 })
        .version.get()
        .catch((e: unknown) => e);
      expect(timedOut).toBeInstanceOf(HotendTimeoutError);
      expect((timedOut as Error).message).toBe('GET /api/version: no answer within 50 ms');

      const controller = new AbortController();
      const pending = client
        .with({ signal: controller.signal })
        .version.get()
        .catch((e: unknown) => e);
      controller.abort();
      expect(((await pending) as Error).name).toBe('AbortError');
    } finally {
      slow.closeAllConnections();
      await new Promise<void>((resolve) => slow.close(() => resolve()));
    }
  });

  it('builds absolute URLs with encoded path parameters', () => {
    const client = new HotendClient({ baseUrl: 'http://printer.local:5000/' });
    expect(client.http.url('/api/version')).toBe('http://printer.local:5000/api/version');
  });
});
