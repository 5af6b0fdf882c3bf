import { createHash } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { type BuildLog, type BuildLogMeta, HotendApiError, type HotendClient } from '@hotend/sdk';
import { buildLogContentStream } from '@hotend/sdk/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Permission } from '../src/auth/permission.js';
import { BuildLogsService } from '../src/build-logs/build-logs.service.js';
import { expectAuthMatrix } from './auth-matrix.js';
import { startTestServer, TEST_KEYS, type TestServer } from './harness.js';

const MAX_BODY = 1024 * 1024;

/** Fixture: (target, start, arch, exit) per log; ids 1..8 in this order; end = start + 5. */
const FIXTURE: readonly [number, number, string, number][] = [
  [1, 1000, 'x86_64', 0],
  [1, 1010, 'aarch64', 1],
  [2, 1020, 'x86_64', 2],
  [2, 1030, 'aarch64', 0],
  [3, 1040, 'x86_64', 1],
  [1, 1050, 'armv7', 0],
  [3, 1060, 'aarch64', 2],
  [2, 1070, 'x86_64', 3],
];

const meta = (target: number, startTime: number, arch: string, exitCode: number): BuildLogMeta => ({
  target,
  startTime,
  endTime: startTime + 5,
  arch,
  exitCode,
});

async function errorOf(promise: Promise<unknown>): Promise<HotendApiError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof HotendApiError)) throw new Error(`expected a HotendApiError, got ${String(error)}`);
  return error;
}

/** Deterministic bytes, generated chunk by chunk, with the sha256 of everything produced. */
function generatedLog(totalBytes: number): { stream: Readable; digest: () => string } {
  const hash = createHash('sha256');
  const line = Buffer.from('[build] compiling src/module.c -> build/module.o ... ok\n');
  const chunk = Buffer.alloc(64 * 1024);
  for (let i = 0; i < chunk.length; i += 1) chunk[i] = line[i % line.length] ?? 0x20;
  let sent = 0;
  const stream = new Readable({
    read() {
      if (sent >= totalBytes) {
        this.push(null);
        return;
      }
      const piece = chunk.subarray(0, Math.min(chunk.length, totalBytes - sent));
      sent += piece.length;
      hash.update(piece);
      this.push(piece);
    },
  });
  return { stream, digest: () => hash.digest('hex') };
}

async function sha256Of(stream: Readable): Promise<{ digest: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    hash.update(chunk);
    size += chunk.length;
  }
  return { digest: hash.digest('hex'), size };
}

function contentFiles(server: TestServer): string[] {
  return readdirSync(join(server.basedir, 'build-logs')).sort();
}

describe('build logs: list, get, content, publish, delete', () => {
  let server: TestServer;
  let client: HotendClient;
  let reader: HotendClient;

  beforeAll(async () => {
    server = await startTestServer({ config: { buildLogs: { maxBodyBytes: MAX_BODY } } });
    client = server.client(TEST_KEYS.BUILDLOGS_PUBLISH);
    reader = server.client(TEST_KEYS.BUILDLOGS_READ);
    for (const [target, start, arch, exit] of FIXTURE) {
      await client.buildLogs.publish(meta(target, start, arch, exit), `log of ${arch} build at ${start}\n`);
    }
  });
  afterAll(async () => {
    await server.close();
  });

  const ids = async (filter: Record<string, string | number>): Promise<number[]> =>
    (await reader.buildLogs.list(filter)).map((log) => log.id);

  describe('list', () => {
    it('returns the seed envelope with snake_case fields and epoch-second integers', async () => {
      const response = await fetch(`${server.url}/api/v1/logs?limit=1`, {
        headers: { 'x-api-key': TEST_KEYS.BUILDLOGS_READ },
      });
      expect(response.status).toBe(200);
      expect(await response.text()).toBe(
        '{"message":"","data":[{"id":1,"target_id":1,"start_time":1000,"end_time":1005,"arch":"x86_64","exit_code":0}]}',
      );
    });

    it('lists everything in ascending id without filters', async () => {
      expect(await ids({})).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    });

    it('filters by target', async () => {
      expect(await ids({ target: 2 })).toEqual([3, 4, 8]);
      expect(await ids({ target: 99 })).toEqual([]);
    });

    it('filters by arch (exact match)', async () => {
      expect(await ids({ arch: 'aarch64' })).toEqual([2, 4, 7]);
      expect(await ids({ arch: 'aarch' })).toEqual([]);
    });

    it('treats before and after as exclusive bounds on start_time', async () => {
      expect(await ids({ before: 1020 })).toEqual([1, 2]);
      expect(await ids({ after: 1050 })).toEqual([7, 8]);
      expect(await ids({ after: 1010, before: 1040 })).toEqual([3, 4]);
      expect(await ids({ after: 1020, before: 1030 })).toEqual([]);
    });

    it.each([
      ['1,2', [2, 3, 5, 7]],
      ['!0', [2, 3, 5, 7, 8]],
      ['!1,!2', [1, 4, 6, 8]],
      ['0,!1', [1, 4, 6]],
      ['3', [8]],
      ['1,2,!2', [2, 5]],
    ])('filters exit_codes=%s with includes OR-ed and excludes AND-ed', async (codes, expected) => {
      expect(await ids({ exit_codes: codes })).toEqual(expected);
    });

    it('combines every filter with AND', async () => {
      expect(await ids({ target: 2, arch: 'x86_64', exit_codes: '!2', after: 1000, before: 1100 })).toEqual([8]);
      expect(await ids({ target: 1, exit_codes: '0', before: 1050 })).toEqual([1]);
    });

    it('pages with limit and offset, and defaults to 25', async () => {
      expect(await ids({ limit: 3 })).toEqual([1, 2, 3]);
      expect(await ids({ limit: 3, offset: 3 })).toEqual([4, 5, 6]);
      expect(await ids({ limit: 3, offset: 6 })).toEqual([7, 8]);
      expect(await ids({ offset: 8 })).toEqual([]);
      expect(await ids({ arch: 'x86_64', limit: 2, offset: 1 })).toEqual([3, 5]);
    });

    it('ignores a parameter given with an empty value, as Vieter does', async () => {
      expect(await ids({ arch: '', exit_codes: '', limit: '' })).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    });

    it.each([
      ['limit=abc', 'limit: must be an integer from 1 to 1000'],
      ['limit=0', 'limit: must be an integer from 1 to 1000'],
      ['limit=1001', 'limit: must be an integer from 1 to 1000'],
      ['limit=2.5', 'limit: must be an integer from 1 to 1000'],
      ['offset=-1', 'offset: must be an integer from 0 to 999999999999999'],
      ['offset=1e3', 'offset: must be an integer from 0 to 999999999999999'],
      ['target=0', 'target: must be an integer from 1 to 999999999999999'],
      ['target=x', 'target: must be an integer from 1 to 999999999999999'],
      ['before=yesterday', 'before: must be an integer from 0 to 999999999999999'],
      ['after=-5', 'after: must be an integer from 0 to 999999999999999'],
      ['limit=1&limit=2', 'limit: must be an integer from 1 to 1000'],
      ['arch=a&arch=b', 'arch: must be one text value of at most 255 characters'],
      ['exit_codes=1,,2', 'exit_codes: contains an empty item; use a comma-separated list such as 1,2 or !0'],
      [
        'exit_codes=abc',
        'exit_codes: "abc" is not an exit code (an integer, optionally prefixed with ! to exclude it)',
      ],
      ['exit_codes=!', 'exit_codes: "!" is not an exit code (an integer, optionally prefixed with ! to exclude it)'],
      [
        'exit_codes=!!1',
        'exit_codes: "!!1" is not an exit code (an integer, optionally prefixed with ! to exclude it)',
      ],
      [
        'exit_codes=1.5',
        'exit_codes: "1.5" is not an exit code (an integer, optionally prefixed with ! to exclude it)',
      ],
    ])('answers 400 naming the parameter for %s', async (query, message) => {
      const response = await fetch(`${server.url}/api/v1/logs?${query}`, {
        headers: { 'x-api-key': TEST_KEYS.BUILDLOGS_READ },
      });
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      expect(await response.json()).toEqual({ message, data: '' });
    });
  });

  describe('get', () => {
    it('returns one log in the envelope', async () => {
      const response = await fetch(`${server.url}/api/v1/logs/3`, {
        headers: { 'x-api-key': TEST_KEYS.BUILDLOGS_READ },
      });
      expect(await response.json()).toEqual({
        message: '',
        data: { id: 3, target_id: 2, start_time: 1020, end_time: 1025, arch: 'x86_64', exit_code: 2 },
      });
      expect(await reader.buildLogs.get(6)).toEqual<BuildLog>({
        id: 6,
        target_id: 1,
        start_time: 1050,
        end_time: 1055,
        arch: 'armv7',
        exit_code: 0,
      });
    });

    it('answers 404 with the envelope for an unknown id, and 400 for a malformed one', async () => {
      const missing = await errorOf(reader.buildLogs.get(999));
      expect([missing.status, missing.body]).toEqual([404, { message: 'No build log with id 999', data: '' }]);
      for (const path of ['/api/v1/logs/abc', '/api/v1/logs/0', '/api/v1/logs/-1', '/api/v1/logs/1.5']) {
        const response = await fetch(`${server.url}${path}`, { headers: { 'x-api-key': TEST_KEYS.BUILDLOGS_READ } });
        expect(response.status, path).toBe(400);
        expect(await response.json()).toEqual({ message: 'id: must be a positive integer', data: '' });
      }
    });
  });

  describe('content', () => {
    it('serves the log as text/plain; charset=utf-8 with its length', async () => {
      const response = await fetch(`${server.url}/api/v1/logs/2/content`, {
        headers: { 'x-api-key': TEST_KEYS.BUILDLOGS_READ },
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/plain; charset=utf-8');
      expect(response.headers.get('accept-ranges')).toBe('bytes');
      expect(response.headers.get('content-length')).toBe('29');
      expect(await response.text()).toBe('log of aarch64 build at 1010\n');
      expect(await reader.buildLogs.content(2)).toBe('log of aarch64 build at 1010\n');
    });

    it('keeps the bytes exactly, including UTF-8 and JSON-looking text', async () => {
      const body = '{"not": "parsed"}\nÜmlaut ✓ 🔥\r\n\u0000end';
      const { id } = await client.buildLogs.publish(meta(4, 2000, 'x86_64', 0), body);
      expect(await reader.buildLogs.content(id)).toBe(body);
      await client.buildLogs.delete(id);
    });

    it.each([
      ['bytes=0-3', 206, 'log ', 'bytes 0-3/28'],
      ['bytes=7-12', 206, 'x86_64', 'bytes 7-12/28'],
      ['bytes=23-', 206, '1000\n', 'bytes 23-27/28'],
      ['bytes=-5', 206, '1000\n', 'bytes 23-27/28'],
      ['bytes=20-999', 206, 'at 1000\n', 'bytes 20-27/28'],
      ['bytes=-999', 206, 'log of x86_64 build at 1000\n', 'bytes 0-27/28'],
      ['items=0-3', 200, 'log of x86_64 build at 1000\n', null],
      ['bytes=0-1,4-5', 200, 'log of x86_64 build at 1000\n', null],
      ['bytes=5-2', 200, 'log of x86_64 build at 1000\n', null],
    ])('honours Range %s', async (range, status, text, contentRange) => {
      const response = await fetch(`${server.url}/api/v1/logs/1/content`, {
        headers: { 'x-api-key': TEST_KEYS.BUILDLOGS_READ, range },
      });
      expect(response.status).toBe(status);
      expect(response.headers.get('content-range')).toBe(contentRange);
      expect(response.headers.get('content-length')).toBe(String(text.length));
      expect(await response.text()).toBe(text);
    });

    it('answers 416 for a range past the end, with the size in Content-Range', async () => {
      for (const range of ['bytes=28-', 'bytes=100-200', 'bytes=-0']) {
        const response = await fetch(`${server.url}/api/v1/logs/1/content`, {
          headers: { 'x-api-key': TEST_KEYS.BUILDLOGS_READ, range },
        });
        expect(response.status, range).toBe(416);
        expect(response.headers.get('content-range')).toBe('bytes */28');
        expect(((await response.json()) as { data: string }).data).toBe('');
      }
    });

    it('passes a range through the SDK', async () => {
      expect(await reader.buildLogs.content(1, { range: { start: 0, end: 2 } })).toBe('log');
    });

    it('answers 404 with the envelope for an unknown id', async () => {
      const error = await errorOf(reader.buildLogs.content(12345));
      expect([error.status, error.body]).toEqual([404, { message: 'No build log with id 12345', data: '' }]);
    });
  });

  describe('publish', () => {
    it('answers 200 with the new id in the seed envelope', async () => {
      const response = await fetch(
        `${server.url}/api/v1/logs?startTime=1652008554&endTime=1652008559&arch=x86_64&exitCode=0&target=3`,
        {
          method: 'POST',
          headers: { 'x-api-key': TEST_KEYS.BUILDLOGS_PUBLISH, 'content-type': 'text/plain' },
          body: 'hello\n',
        },
      );
      expect(response.status).toBe(200);
      const body = (await response.json()) as { message: string; data: { id: number } };
      expect(body).toEqual({ message: '', data: { id: body.data.id } });
      expect(body.data.id).toBeGreaterThan(8);
      expect(await reader.buildLogs.get(body.data.id)).toEqual({
        id: body.data.id,
        target_id: 3,
        start_time: 1652008554,
        end_time: 1652008559,
        arch: 'x86_64',
        exit_code: 0,
      });
      expect(await reader.buildLogs.content(body.data.id)).toBe('hello\n');
      await client.buildLogs.delete(body.data.id);
    });

    it('accepts an empty body, with or without a Content-Type', async () => {
      const viaSdk = await client.buildLogs.publish(meta(5, 3000, 'x86_64', 0), '');
      expect(await reader.buildLogs.content(viaSdk.id)).toBe('');
      const response = await fetch(`${server.url}/api/v1/logs?startTime=1&endTime=1&arch=a&exitCode=0&target=5`, {
        method: 'POST',
        headers: { 'x-api-key': TEST_KEYS.BUILDLOGS_PUBLISH },
      });
      expect(response.status).toBe(200);
      const { data } = (await response.json()) as { data: { id: number } };
      expect(statSync(join(server.basedir, 'build-logs', `${data.id}.log`)).size).toBe(0);
      await client.buildLogs.delete(viaSdk.id);
      await client.buildLogs.delete(data.id);
    });

    it('accepts any Content-Type, as Vieter does (curl --data-binary sends form encoding)', async () => {
      const response = await fetch(`${server.url}/api/v1/logs?startTime=1&endTime=2&arch=a&exitCode=0&target=5`, {
        method: 'POST',
        headers: { 'x-api-key': TEST_KEYS.BUILDLOGS_PUBLISH, 'content-type': 'application/x-www-form-urlencoded' },
        body: 'a=b&c',
      });
      const { data } = (await response.json()) as { data: { id: number } };
      expect(await reader.buildLogs.content(data.id)).toBe('a=b&c');
      await client.buildLogs.delete(data.id);
    });

    it('accepts a chunked body from a stream', async () => {
      const before = contentFiles(server).length;
      const { id } = await client.buildLogs.publish(
        meta(6, 4000, 'rp2040', 1),
        Readable.from(['first chunk\n', 'second chunk\n', 'third\n']),
      );
      expect(await reader.buildLogs.content(id)).toBe('first chunk\nsecond chunk\nthird\n');
      expect(contentFiles(server).length).toBe(before + 1);
      await client.buildLogs.delete(id);
    });

    it('stores concurrent publishes each under its own id with its own content', async () => {
      const published = await Promise.all(
        Array.from({ length: 24 }, (_, index) =>
          client.buildLogs.publish(meta(7, 5000 + index, 'x86_64', index % 3), `concurrent log ${index}\n`.repeat(50)),
        ),
      );
      const ids = published.map((entry) => entry.id);
      expect(new Set(ids).size).toBe(24);
      for (const [index, id] of ids.entries()) {
        expect(await reader.buildLogs.content(id)).toBe(`concurrent log ${index}\n`.repeat(50));
        expect((await reader.buildLogs.get(id)).start_time).toBe(5000 + index);
      }
      expect((await reader.buildLogs.list({ target: 7, limit: 100 })).map((log) => log.id)).toEqual(
        ids.sort((a, b) => a - b),
      );
      for (const id of ids) await client.buildLogs.delete(id);
    });

    const publishRaw = async (query: string, body = 'x'): Promise<Response> =>
      fetch(`${server.url}/api/v1/logs?${query}`, {
        method: 'POST',
        headers: { 'x-api-key': TEST_KEYS.BUILDLOGS_PUBLISH, 'content-type': 'text/plain' },
        body,
      });
    const valid = { startTime: '100', endTime: '200', arch: 'x86_64', exitCode: '0', target: '1' };
    const withParams = (changes: Record<string, string | undefined>): string => {
      const params = new URLSearchParams();
      for (const [key, value] of Object.entries({ ...valid, ...changes }))
        if (value !== undefined) params.set(key, value);
      return params.toString();
    };

    it.each([
      ['startTime: is required', { startTime: undefined }],
      ['startTime: must be an integer from 0 to 999999999999999', { startTime: 'soon' }],
      ['startTime: must be an integer from 0 to 999999999999999', { startTime: '-1' }],
      ['endTime: is required', { endTime: undefined }],
      ['endTime: must be an integer from 0 to 999999999999999', { endTime: '1.5' }],
      ['endTime: 99 is before startTime 100', { endTime: '99' }],
      ['arch: is required', { arch: undefined }],
      ['arch: is required', { arch: '' }],
      ['arch: must be one text value of at most 255 characters', { arch: 'x'.repeat(256) }],
      ['arch: must be one text value of at most 255 characters', { arch: 'x86\n64' }],
      ['exitCode: is required', { exitCode: undefined }],
      ['exitCode: must be an integer from -2147483648 to 2147483647', { exitCode: 'failed' }],
      ['exitCode: must be an integer from -2147483648 to 2147483647', { exitCode: '2147483648' }],
      ['target: is required', { target: undefined }],
      ['target: must be an integer from 1 to 999999999999999', { target: '0' }],
      ['target: must be an integer from 1 to 999999999999999', { target: 'abc' }],
    ])('answers 400 "%s" and stores nothing', async (message, changes) => {
      const response = await publishRaw(withParams(changes));
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({ message, data: '' });
      expect(await ids({ limit: 1000 })).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
      expect(contentFiles(server)).toEqual(['1.log', '2.log', '3.log', '4.log', '5.log', '6.log', '7.log', '8.log']);
    });

    it('accepts a negative exit code and equal start and end times', async () => {
      const { id } = await client.buildLogs.publish(meta(8, 100, 'x86_64', -1), 'x');
      expect((await reader.buildLogs.get(id)).exit_code).toBe(-1);
      await client.buildLogs.delete(id);
    });

    it('answers 413 when Content-Length exceeds buildLogs.maxBodyBytes, storing nothing', async () => {
      const response = await publishRaw(withParams({}), 'y'.repeat(MAX_BODY + 1));
      expect(response.status).toBe(413);
      expect(await response.json()).toEqual({
        message: `The build log is larger than the ${MAX_BODY} bytes this server accepts`,
        data: '',
      });
      expect(contentFiles(server)).toHaveLength(8);
      expect(await ids({ limit: 1000 })).toHaveLength(8);
    });

    it('answers 413 when a chunked body grows past the limit, storing nothing', async () => {
      const error = await errorOf(client.buildLogs.publish(meta(9, 1, 'a', 0), generatedLog(MAX_BODY + 10).stream));
      expect(error.status).toBe(413);
      expect(contentFiles(server)).toHaveLength(8);
      expect(await ids({ limit: 1000 })).toHaveLength(8);
    });

    it('accepts a body of exactly the limit', async () => {
      const { id } = await client.buildLogs.publish(meta(9, 1, 'a', 0), Buffer.alloc(MAX_BODY, 0x61));
      expect(statSync(join(server.basedir, 'build-logs', `${id}.log`)).size).toBe(MAX_BODY);
      await client.buildLogs.delete(id);
    });

    it('leaves no row and no file when the client aborts mid-body', async () => {
      await new Promise<void>((resolve) => {
        const request = httpRequest(`${server.url}/api/v1/logs?${withParams({})}`, {
          method: 'POST',
          headers: { 'x-api-key': TEST_KEYS.BUILDLOGS_PUBLISH, 'content-length': '100000' },
        });
        request.on('error', () => resolve());
        request.write('z'.repeat(50_000), () => setTimeout(() => request.destroy(), 100));
      });
      // The server notices the abort asynchronously; publish something after it to order the check.
      const { id } = await client.buildLogs.publish(meta(9, 1, 'a', 0), 'after');
      await client.buildLogs.delete(id);
      expect(contentFiles(server)).toHaveLength(8);
      expect(await ids({ limit: 1000 })).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    });
  });

  describe('delete', () => {
    it('removes the row and the file, then answers 404', async () => {
      const { id } = await client.buildLogs.publish(meta(10, 1, 'a', 0), 'to delete');
      expect(contentFiles(server)).toContain(`${id}.log`);
      const response = await fetch(`${server.url}/api/v1/logs/${id}`, {
        method: 'DELETE',
        headers: { 'x-api-key': TEST_KEYS.BUILDLOGS_PUBLISH },
      });
      expect(response.status).toBe(204);
      expect(await response.text()).toBe('');
      expect(contentFiles(server)).not.toContain(`${id}.log`);
      expect((await errorOf(reader.buildLogs.get(id))).status).toBe(404);
      const again = await errorOf(client.buildLogs.delete(id));
      expect([again.status, again.body]).toEqual([404, { message: `No build log with id ${id}`, data: '' }]);
    });
  });

  describe('auth', () => {
    it.each([
      ['GET', '/api/v1/logs', Permission.BUILDLOGS_READ],
      ['GET', '/api/v1/logs/1', Permission.BUILDLOGS_READ],
      ['GET', '/api/v1/logs/1/content', Permission.BUILDLOGS_READ],
      ['POST', '/api/v1/logs?startTime=1&endTime=2&arch=a&exitCode=0&target=1', Permission.BUILDLOGS_PUBLISH],
      ['DELETE', '/api/v1/logs/999', Permission.BUILDLOGS_PUBLISH],
    ] as const)('guards %s %s with %s', async (method, path, permission) => {
      await expectAuthMatrix(server.url, { method, path, permission, unauthenticatedStatus: 401 });
    });

    it('answers a missing key with plain-text 401 Unauthorized, and a lacking key with the envelope', async () => {
      const anonymous = await fetch(`${server.url}/api/v1/logs`);
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers.get('content-type')).toMatch(/^text\/plain/);
      expect(await anonymous.text()).toBe('401 Unauthorized');
      const lacking = await errorOf(reader.buildLogs.publish(meta(1, 1, 'a', 0), 'x'));
      expect([lacking.status, lacking.body]).toEqual([
        403,
        { message: 'The API key "buildlogs_read" lacks the BUILDLOGS_PUBLISH permission', data: '' },
      ]);
    });

    it('does not read or store the body of a refused publish', async () => {
      const before = contentFiles(server);
      const response = await fetch(`${server.url}/api/v1/logs?startTime=1&endTime=2&arch=a&exitCode=0&target=1`, {
        method: 'POST',
        body: 'secret',
      });
      expect(response.status).toBe(401);
      expect(contentFiles(server)).toEqual(before);
    });
  });
});

describe('build logs: a 200 MB body', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server.close();
  });

  it('streams a 200 MB log in and out unchanged (chunked and with Content-Length)', async () => {
    const size = 200 * 1024 * 1024;
    const chunked = generatedLog(size);
    const { id } = await server.client().buildLogs.publish(meta(1, 1, 'x86_64', 0), chunked.stream);
    const downloaded = await sha256Of(await buildLogContentStream(server.client(), id));
    expect(downloaded).toEqual({ digest: chunked.digest(), size });

    const sized = generatedLog(size);
    const secondId = await new Promise<number>((resolve, reject) => {
      const request = httpRequest(`${server.url}/api/v1/logs?startTime=1&endTime=2&arch=a&exitCode=0&target=1`, {
        method: 'POST',
        headers: { 'x-api-key': TEST_KEYS.ADMIN, 'content-type': 'text/plain', 'content-length': String(size) },
      });
      request.on('response', (response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => (text += chunk.toString()));
        response.on('end', () => resolve((JSON.parse(text) as { data: { id: number } }).data.id));
      });
      request.on('error', reject);
      sized.stream.pipe(request);
    });
    expect(statSync(join(server.basedir, 'build-logs', `${secondId}.log`)).size).toBe(size);
    const tail = await server.client().buildLogs.content(secondId, { range: { start: size - 10 } });
    expect(tail).toHaveLength(10);
  });
});

describe('build logs: retention', () => {
  let server: TestServer;
  const day = 86400;
  const now = Math.floor(Date.now() / 1000);

  beforeAll(async () => {
    server = await startTestServer({ config: { buildLogs: { retentionDays: 3 } } });
  });
  afterAll(async () => {
    await server.close();
  });

  it('deletes rows and files of logs that started before the cutoff, and keeps the rest', async () => {
    const client = server.client();
    const old = await client.buildLogs.publish(meta(1, now - 10 * day, 'a', 0), 'old');
    const edge = await client.buildLogs.publish(meta(1, now - 3 * day - 60, 'a', 0), 'just too old');
    const recent = await client.buildLogs.publish(meta(1, now - 2 * day, 'a', 0), 'recent');
    const removed = await server.app.get(BuildLogsService).removeExpiredLogs(new Date(now * 1000));
    expect(removed).toBe(2);
    expect((await client.buildLogs.list()).map((log) => log.id)).toEqual([recent.id]);
    expect(contentFiles(server)).toEqual([`${recent.id}.log`]);
    expect(old.id).toBeLessThan(edge.id);
  });
});

describe('build logs: retentionDays 0', () => {
  it('keeps everything, however old', async () => {
    const keeper = await startTestServer();
    const now = Math.floor(Date.now() / 1000);
    await keeper.client().buildLogs.publish(meta(1, now - 400 * 86400, 'a', 0), 'ancient');
    expect(await keeper.app.get(BuildLogsService).removeExpiredLogs()).toBe(0);
    expect(await keeper.client().buildLogs.list()).toHaveLength(1);
    await keeper.close();
  });
});
