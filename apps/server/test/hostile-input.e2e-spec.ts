import { readFileSync } from 'node:fs';
import { STATUS_CODES } from 'node:http';
import { Worker } from 'node:worker_threads';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_JSON_DEPTH, MAX_JSON_KEYS } from '../src/common/http/json-body.js';
import { startTestServer, TEST_KEYS, type TestServer } from './harness.js';
import { rawExchange, unboundedUpload } from './raw-http.js';

/** Regression tests for the defects of issue 11 (hostile input); the fuzz and auth-matrix suites generalise them. */

const MAX_BODY = 1024 * 1024;
const GIB = 1024 * 1024 * 1024;
const PUBLISH_QUERY = 'startTime=1652008554&endTime=1652008559&arch=x86_64&exitCode=0&target=3';

/**
 * Publishes `length` zero bytes `times` times with Node's HTTP client (which sends as it reads the answer) from a
 * worker thread, so client and server do not share an event loop; the statuses or error codes.
 */
function streamingPublishes(url: string, key: string, length: number, times: number): Promise<(number | string)[]> {
  const code = `
    const { request } = require('node:http');
    const { Readable } = require('node:stream');
    const { parentPort, workerData: { url, key, length, times } } = require('node:worker_threads');
    const once = () => new Promise((resolve) => {
      let sent = 0;
      const body = new Readable({ read() {
        if (sent >= length) return void this.push(null);
        sent += 1048576;
        this.push(Buffer.alloc(1048576));
      } });
      const req = request(url, { method: 'POST', headers: { 'x-api-key': key, 'content-length': String(length) } },
        (res) => { res.resume(); body.destroy(); resolve(res.statusCode); });
      req.on('error', (error) => { body.destroy(); resolve(error.code); });
      body.pipe(req);
    });
    (async () => { const results = []; for (let i = 0; i < times; i++) results.push(await once()); parentPort.postMessage(results); })();
  `;
  return new Promise((resolve, reject) => {
    const worker = new Worker(code, { eval: true, workerData: { url, key, length, times } });
    worker.once('message', (results: (number | string)[]) => {
      resolve(results);
      void worker.terminate();
    });
    worker.once('error', reject);
  });
}

const deepArrays = (depth: number): string => '['.repeat(depth) + ']'.repeat(depth);
const deepObjects = (depth: number): string => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
const manyKeys = (count: number): string =>
  `{"command":"target",${Array.from({ length: count }, (_, i) => `"k${i}":1`).join(',')}}`;

describe('hostile input', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ printer: 'virtual', config: { buildLogs: { maxBodyBytes: MAX_BODY } } });
  });
  afterAll(() => server.close());

  const send = (method: string, path: string, body: string, contentType: string, key = TEST_KEYS.ADMIN) =>
    fetch(`${server.url}${path}`, { method, headers: { 'x-api-key': key, 'content-type': contentType }, body });

  describe('(1) deeply nested JSON', () => {
    it.each([
      '/api/connection',
      '/api/printer/bed',
      '/api/printer/command',
      '/api/printer/printhead',
      '/api/printer/sd',
      '/api/printer/tool',
    ])('answers 400 before any transformation on %s', async (path) => {
      for (const body of [deepArrays(2000), deepObjects(5000), deepArrays(100_000)]) {
        const response = await send('POST', path, body, 'application/json');
        expect(response.status).toBe(400);
        expect(await response.json()).toEqual({ error: `JSON body is nested deeper than ${MAX_JSON_DEPTH} levels` });
      }
    });

    it('answers 400 in the family envelope on PUT /plugin/logging/setup/levels and /log', async () => {
      const levels = await send('PUT', '/plugin/logging/setup/levels', deepObjects(5000), 'application/json');
      expect(levels.status).toBe(400);
      const log = await fetch(`${server.url}/log`, {
        method: 'POST',
        headers: { 'x-plex-token': TEST_KEYS.ADMIN, 'content-type': 'application/json' },
        body: deepArrays(100_000),
      });
      expect(log.status).toBe(400);
      expect(log.headers.get('content-type')).toMatch(/^text\/plain/);
    });

    it('still accepts a body as deep as the limit allows', async () => {
      const response = await send('POST', '/api/printer/bed', '{"command":"target","target":20}', 'application/json');
      expect(response.status).toBe(204);
    });
  });

  describe('(2) bodies with many keys', () => {
    it('refuses them before validation, naming the limit', async () => {
      const response = await send('POST', '/api/printer/bed', manyKeys(70_000), 'application/json');
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({ error: `JSON body has more than ${MAX_JSON_KEYS} keys` });
    });

    it('counts keys only outside strings', async () => {
      const text = '":'.repeat(5000);
      const response = await send(
        'POST',
        '/api/printer/command',
        JSON.stringify({ command: `M117 ${text}` }),
        'application/json',
      );
      expect(response.status).not.toBe(400);
    });
  });

  describe('(3) route body handling follows the route, not the URL spelling', () => {
    it.each([
      ['/api/v1/log%73', 'text/plain'],
      ['/api/v1/%6cogs', 'text/plain'],
      ['/%61pi/v1/logs', 'application/json'],
      ['/%61pi/v1/logs', 'text/plain'],
    ])('stores the whole body published through %s (%s)', async (path, contentType) => {
      const body = `{"line":"published through ${path}"}\n`;
      const response = await send('POST', `${path}?${PUBLISH_QUERY}`, body, contentType, TEST_KEYS.BUILDLOGS_PUBLISH);
      expect(response.status).toBe(200);
      const { data } = (await response.json()) as { data: { id: number } };
      expect(readFileSync(join(server.basedir, 'build-logs', `${data.id}.log`), 'utf8')).toBe(body);
    });

    it('reads a /log batch sent through /lo%67 as a form', async () => {
      const response = await fetch(`${server.url}/lo%67`, {
        method: 'POST',
        headers: { 'x-plex-token': TEST_KEYS.LOG_WRITE, 'content-type': 'application/x-www-form-urlencoded' },
        body: 'level=2&message=through%20an%20escaped%20path&source=hostile',
      });
      expect(response.status).toBe(200);
      expect(readFileSync(join(server.basedir, 'logs', 'hotend.log'), 'utf8')).toContain(
        '[hostile] through an escaped path',
      );
    });

    it('answers 415 for a non-JSON body on an escaped JSON route', async () => {
      const response = await send('POST', '/api/printer/b%65d', 'command=target', 'text/plain');
      expect(response.status).toBe(415);
    });
  });

  describe('(5) refused uploads are not read to the end', () => {
    const upload = (path: string, headers: Record<string, string> = {}) =>
      unboundedUpload(server.url, path, { headers, declaredLength: 2 * GIB, stopAfterBytes: 512 * 1024 * 1024 });

    it.each([
      ['no key', `/api/v1/logs?${PUBLISH_QUERY}`, {}, 401],
      ['a bad query', '/api/v1/logs?startTime=soon', { 'x-api-key': TEST_KEYS.BUILDLOGS_PUBLISH }, 400],
      ['a lacking permission', `/api/v1/logs?${PUBLISH_QUERY}`, { 'x-api-key': TEST_KEYS.BUILDLOGS_READ }, 403],
      ['a declared length over the limit', `/api/v1/logs?${PUBLISH_QUERY}`, { 'x-api-key': TEST_KEYS.ADMIN }, 413],
    ])('answers a 2 GiB publish with %s, then stops reading', async (_label, path, headers, status) => {
      const outcome = await upload(path, headers);
      expect(outcome.statusLine).toBe(`HTTP/1.1 ${status} ${STATUS_CODES[status]}`);
      expect(outcome.response).toMatch(/\r\nconnection: close\r\n/i);
      expect(outcome.closedEarly).toBe(true);
      expect(outcome.bytesWritten).toBeLessThan(256 * 1024 * 1024);
    });

    it("gets the 413 to Node's HTTP client every time, before the connection closes", async () => {
      const statuses = await streamingPublishes(
        `${server.url}/api/v1/logs?${PUBLISH_QUERY}`,
        TEST_KEYS.ADMIN,
        2 * GIB,
        10,
      );
      expect(statuses).toEqual(Array.from({ length: 10 }, () => 413));
    });

    it('gets the 413 of a chunked body that grows past the limit to the client', async () => {
      const outcome = await unboundedUpload(server.url, `/api/v1/logs?${PUBLISH_QUERY}`, {
        headers: { 'x-api-key': TEST_KEYS.ADMIN },
        declaredLength: undefined,
        stopAfterBytes: 512 * 1024 * 1024,
      });
      expect(outcome.statusLine).toBe('HTTP/1.1 413 Payload Too Large');
      expect(outcome.closedEarly).toBe(true);
      expect(outcome.bytesWritten).toBeLessThan(256 * 1024 * 1024);
    });
  });

  describe('(6) every answer in the envelope of the decoded path', () => {
    it('answers a missing key on escaped /log and build-log paths with their 401', async () => {
      for (const path of ['/lo%67?level=2&message=x&source=y', '/%61pi/v1/logs', '/api/v1/%6cogs/1']) {
        const response = await fetch(`${server.url}${path}`);
        expect(response.status, path).toBe(401);
        expect(await response.text(), path).toBe('401 Unauthorized');
      }
    });

    it('answers an over-long path parameter with 414 in the family envelope', async () => {
      const vieter = await fetch(`${server.url}/api/v1/logs/${'9'.repeat(600)}`, {
        headers: { 'x-api-key': TEST_KEYS.ADMIN },
      });
      expect(vieter.status).toBe(414);
      expect(await vieter.json()).toEqual({ message: 'A path parameter is longer than the server accepts', data: '' });
      const octoprint = await fetch(`${server.url}/plugin/logging/logs/${'a'.repeat(600)}`, {
        headers: { 'x-api-key': TEST_KEYS.ADMIN },
      });
      expect(octoprint.status).toBe(414);
      expect(await octoprint.json()).toEqual({ error: 'A path parameter is longer than the server accepts' });
    });

    it('answers headers that are too large with 431 in the family envelope', async () => {
      const big = 'a'.repeat(20_000);
      const answers = await Promise.all(
        ['/api/v1/logs', '/lo%67', '/api/version'].map((path) =>
          rawExchange(server.url, `GET ${path} HTTP/1.1\r\nhost: x\r\nx-big: ${big}\r\n\r\n`),
        ),
      );
      expect(answers[0]).toMatch(
        /^HTTP\/1\.1 431 [^\r]*\r\n[\s\S]*\r\n\r\n\{"message":"Request headers are larger than the server accepts","data":""\}$/,
      );
      expect(answers[1]).toMatch(
        /^HTTP\/1\.1 431 [\s\S]*text\/plain[\s\S]*\r\n\r\nRequest headers are larger than the server accepts$/,
      );
      expect(answers[2]).toMatch(/\r\n\r\n\{"error":"Request headers are larger than the server accepts"\}$/);
    });

    it('answers malformed JSON and over-large bodies in the family envelope of the decoded path', async () => {
      const malformed = await send('DELETE', '/%61pi/v1/logs/1', '{"a":', 'application/json');
      expect(malformed.status).toBe(400);
      expect(await malformed.json()).toMatchObject({ data: '' });
      const tooLarge = await fetch(`${server.url}/lo%67`, {
        method: 'POST',
        headers: { 'x-plex-token': TEST_KEYS.ADMIN, 'content-type': 'text/plain' },
        body: 'x'.repeat(2 * 1024 * 1024),
      });
      expect(tooLarge.status).toBe(413);
      expect(tooLarge.headers.get('content-type')).toMatch(/^text\/plain/);
    });
  });
});
