import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HotendApiError } from '@hotend/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Permission } from '../src/auth/permission.js';
import { expectAuthMatrix } from './auth-matrix.js';
import { startTestServer, TEST_KEYS, type TestServer } from './harness.js';

/** Seed 001's example body, verbatim. */
const SEED_BODY =
  'level=0&message=Error%20message&source=computer1&level=1&message=Warning%20message&message&source=computer2';

describe('/log (seed 001)', () => {
  let server: TestServer;
  const token = TEST_KEYS.LOG_WRITE;

  /** The `hotend.client` lines of hotend.log, without their timestamps. */
  const clientLines = (): string[] =>
    readFileSync(join(server.basedir, 'logs', 'hotend.log'), 'utf8')
      .split('\n')
      .filter((line) => line.includes(' - hotend.client - '))
      .map((line) => line.slice(line.indexOf(' - ') + 3));

  let seen = 0;
  /** Lines written since the last call. */
  const newLines = (): string[] => {
    const all = clientLines();
    const fresh = all.slice(seen);
    seen = all.length;
    return fresh;
  };

  const post = (body: string, init: RequestInit = {}, query = `X-Plex-Token=${token}`): Promise<Response> =>
    fetch(`${server.url}/log?${query}`, { method: 'POST', body, ...init });

  beforeAll(async () => {
    server = await startTestServer({
      config: { logging: { levels: { 'hotend.client': 'trace' }, ingestBodyLimit: 4096 } },
    });
  });
  afterAll(async () => {
    await server.close();
  });

  it('writes the two messages of the seed example body, answering 200 with an empty body', async () => {
    newLines();
    const response = await post(SEED_BODY, { headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('');
    expect(newLines()).toEqual([
      'hotend.client - ERROR - [computer1] Error message',
      'hotend.client - WARN - [computer2] Warning message',
    ]);
  });

  it('accepts the seed body as text/plain and without any Content-Type', async () => {
    newLines();
    expect((await post(SEED_BODY, { headers: { 'content-type': 'text/plain' } })).status).toBe(200);
    expect((await post(SEED_BODY)).status).toBe(200);
    expect(newLines()).toHaveLength(4);
  });

  it('takes newline-separated groups (LF and CRLF) and maps levels 0-4', async () => {
    newLines();
    const body = [
      'level=0&message=zero&source=a',
      'level=1&message=one&source=a',
      'level=2&message=two+words&source=a',
      'level=3&message=three%2Bplus&source=a',
      'level=4&message=four&source=a',
    ].join('\r\n');
    expect((await post(body, { headers: { 'x-plex-token': token } }, '')).status).toBe(200);
    expect(newLines()).toEqual([
      'hotend.client - ERROR - [a] zero',
      'hotend.client - WARN - [a] one',
      'hotend.client - INFO - [a] two words',
      'hotend.client - DEBUG - [a] three+plus',
      'hotend.client - TRACE - [a] four',
    ]);
  });

  it('writes one message with GET or PUT, and through the SDK', async () => {
    newLines();
    const get = await fetch(`${server.url}/log?level=2&message=via%20GET&source=ui&X-Plex-Token=${token}`);
    expect(get.status).toBe(200);
    expect(await get.text()).toBe('');
    const put = await fetch(`${server.url}/log?level=1&message=via%20PUT&source=ui`, {
      method: 'PUT',
      headers: { 'x-plex-token': token },
    });
    expect(put.status).toBe(200);
    const client = server.client(token);
    await client.log.writeOne({ level: 0, message: 'sdk one & only', source: 'sdk' });
    await client.log.write([
      { level: 2, message: 'sdk batch 1\nline', source: 'sdk' },
      { level: 3, message: '100% = done', source: 'sdk app' },
    ]);
    expect(newLines()).toEqual([
      'hotend.client - INFO - [ui] via GET',
      'hotend.client - WARN - [ui] via PUT',
      'hotend.client - ERROR - [sdk] sdk one & only',
      'hotend.client - INFO - [sdk] sdk batch 1\\nline',
      'hotend.client - DEBUG - [sdk app] 100% = done',
    ]);
  });

  it.each([
    ['an empty body', ''],
    ['a missing source', 'level=0&message=a&source=x\nlevel=1&message=b'],
    ['a missing message', 'level=0&message=a&source=x\nlevel=1&source=y'],
    ['a missing level', 'message=a&source=x'],
    ['a level out of range', 'level=0&message=a&source=x\nlevel=5&message=b&source=y'],
    ['a level that is not a number', 'level=warn&message=b&source=y'],
    ['a malformed escape', 'level=0&message=a&source=x\nlevel=1&message=100%zz&source=y'],
    ['only stray keys', 'message&source&level'],
    ['a line without level after a good one', 'level=2&message=FIRST&source=app1\nmessage=SECOND&source=app2'],
    ['a line relabelling the one before', 'level=2&message=FIRST&source=app1\nsource=intruder'],
    ['a repeated message in a joined group', 'level=2&message=FIRST&source=a&message=SECOND&source=b'],
  ])('refuses %s with 400 and writes nothing', async (_label, body) => {
    newLines();
    const response = await post(body);
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    expect((await response.text()).length).toBeGreaterThan(0);
    expect(newLines()).toEqual([]);
  });

  it('refuses a single message that is incomplete, or several, with 400', async () => {
    newLines();
    const incomplete = await fetch(`${server.url}/log?level=2&message=x&X-Plex-Token=${token}`);
    expect(incomplete.status).toBe(400);
    expect(await incomplete.text()).toBe('message 1: source is missing');
    const two = await fetch(`${server.url}/log?level=2&message=x&source=a&level=1&message=y&source=b`, {
      method: 'PUT',
      headers: { 'x-plex-token': token },
    });
    expect(two.status).toBe(400);
    const error = await server
      .client(token)
      .log.writeOne({ level: 9 as 0, message: 'x', source: 'y' })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(HotendApiError);
    expect((error as HotendApiError).status).toBe(400);
    expect(newLines()).toEqual([]);
  });

  it('answers 401 for a missing or bad token, before looking at the body', async () => {
    for (const query of ['', 'X-Plex-Token=wrong-token-0000000000']) {
      const response = await post('garbage without fields', {}, query);
      expect(response.status).toBe(401);
      expect(await response.text()).toBe('401 Unauthorized');
    }
    const header = await post(SEED_BODY, { headers: { 'x-plex-token': 'wrong-token-0000000000' } }, '');
    expect(header.status).toBe(401);
  });

  it('answers 413 for a body over logging.ingestBodyLimit and writes nothing', async () => {
    newLines();
    const body = Array.from({ length: 200 }, (_, i) => `level=2&message=filler%20${i}&source=big`).join('\n');
    expect(body.length).toBeGreaterThan(4096);
    const response = await post(body);
    expect(response.status).toBe(413);
    expect(newLines()).toEqual([]);
  });

  it('keeps every message on its own line, whatever CR, LF or control characters it carries', async () => {
    newLines();
    const forged = encodeURIComponent(
      'real\n2026-01-01 00:00:00,000 - hotend.system - ERROR - forged\r\u001b[2J\u0000end',
    );
    const source = encodeURIComponent('src\nhotend.system');
    expect((await post(`level=2&message=${forged}&source=${source}`)).status).toBe(200);
    expect(newLines()).toEqual([
      'hotend.client - INFO - [src\\nhotend.system] real\\n2026-01-01 00:00:00,000 - hotend.system - ERROR - forged\\r\\u001b[2J\\u0000end',
    ]);
    const all = readFileSync(join(server.basedir, 'logs', 'hotend.log'), 'utf8').split('\n');
    expect(all.filter((line) => line.includes('forged'))).toHaveLength(1);
  });

  it('applies the hotend.client level: messages below it are accepted but not written', async () => {
    await server.client().plugins.logging.updateLevels({ 'hotend.client': 'warn' });
    newLines();
    expect((await post('level=2&message=info&source=x\nlevel=1&message=warn&source=x')).status).toBe(200);
    expect(newLines()).toEqual(['hotend.client - WARN - [x] warn']);
    await server.client().plugins.logging.updateLevels({ 'hotend.client': 'trace' });
  });

  it('has the auth matrix of LOG_WRITE with 401 for a missing or bad key, on every method', async () => {
    for (const method of ['GET', 'PUT'] as const) {
      await expectAuthMatrix(server.url, {
        method,
        path: '/log?level=2&message=matrix&source=test',
        permission: Permission.LOG_WRITE,
        unauthenticatedStatus: 401,
      });
    }
    await expectAuthMatrix(server.url, {
      method: 'POST',
      path: '/log',
      body: 'level=2&message=matrix&source=test',
      permission: Permission.LOG_WRITE,
      unauthenticatedStatus: 401,
    });
  });
});
