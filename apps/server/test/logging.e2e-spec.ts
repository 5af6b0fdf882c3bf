import {
  mkdirSync,
  readFileSync,
  statfsSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
  existsSync,
  truncateSync,
} from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { HotendApiError } from '@hotend/sdk';
import { downloadLogStream } from '@hotend/sdk/node';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Permission } from '../src/auth/permission.js';
import { expectAuthMatrix } from './auth-matrix.js';
import { startTestServer, TEST_KEYS, type TestServer } from './harness.js';

const SENTINEL = 'SENTINEL-outside-the-logs-folder-7f3a';
const ROTATED = 'hotend.log.2026-11-20';
const ROTATED_TEXT = '2026-11-20 10:00:00,000 - hotend.system - INFO - yesterday\n';
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789\n';

interface RawAnswer {
  status: number;
  body: string;
}

/** A request with the path sent exactly as written (fetch would normalise `..` away). */
function raw(server: TestServer, method: string, path: string): Promise<RawAnswer> {
  const url = new URL(server.url);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: url.hostname, port: url.port, method, path, headers: { 'x-api-key': TEST_KEYS.ADMIN } },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** The entries of a (non-zip64) zip archive: name → contents. */
function unzip(archive: Buffer): Map<string, string> {
  const end = archive.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const count = archive.readUInt16LE(end + 10);
  let offset = archive.readUInt32LE(end + 16);
  const entries = new Map<string, string>();
  for (let i = 0; i < count; i += 1) {
    const method = archive.readUInt16LE(offset + 10);
    const compressedSize = archive.readUInt32LE(offset + 20);
    const nameLength = archive.readUInt16LE(offset + 28);
    const extraLength = archive.readUInt16LE(offset + 30);
    const commentLength = archive.readUInt16LE(offset + 32);
    const localOffset = archive.readUInt32LE(offset + 42);
    const name = archive.toString('utf8', offset + 46, offset + 46 + nameLength);
    const dataStart =
      localOffset + 30 + archive.readUInt16LE(localOffset + 26) + archive.readUInt16LE(localOffset + 28);
    const data = archive.subarray(dataStart, dataStart + compressedSize);
    entries.set(name, (method === 8 ? inflateRawSync(data) : data).toString('utf8'));
    offset += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

describe('Logging plugin API (seed 000)', () => {
  let server: TestServer;
  const logs = (): string => join(server.basedir, 'logs');
  const admin = () => server.client(TEST_KEYS.PLUGIN_LOGGING_MANAGE).plugins.logging;

  beforeAll(async () => {
    server = await startTestServer({
      prepare: (basedir) => {
        const folder = join(basedir, 'logs');
        mkdirSync(join(folder, 'sub'), { recursive: true });
        writeFileSync(join(basedir, 'secret.txt'), SENTINEL);
        writeFileSync(join(folder, ROTATED), ROTATED_TEXT);
        const day = new Date('2026-11-20T23:59:00');
        utimesSync(join(folder, ROTATED), day, day);
        writeFileSync(join(folder, 'alphabet.log'), ALPHABET);
        writeFileSync(join(folder, '.hidden.log'), SENTINEL);
        writeFileSync(join(folder, 'sub', 'inner.log'), SENTINEL);
        symlinkSync(join(basedir, 'secret.txt'), join(folder, 'link.log'));
        symlinkSync('..', join(folder, 'up'));
      },
    });
  });
  afterAll(async () => {
    await server.close();
  });

  it('lists the log files, rotated ones included, with refs and the real free and total space', async () => {
    const listing = await admin().listLogs();
    const names = listing.files.map((file) => file.name);
    expect(names).toEqual(['alphabet.log', 'hotend.log', ROTATED]);
    const rotated = listing.files.find((file) => file.name === ROTATED);
    expect(rotated).toEqual({
      name: ROTATED,
      size: Buffer.byteLength(ROTATED_TEXT),
      date: Math.floor(new Date('2026-11-20T23:59:00').getTime() / 1000),
      refs: {
        resource: `${server.url}/plugin/logging/logs/${ROTATED}`,
        download: `${server.url}/downloads/logs/${ROTATED}`,
      },
    });
    const disk = statfsSync(logs());
    expect(listing.total).toBe(disk.blocks * disk.bsize);
    // Free space moves with whatever else writes to the disk meanwhile (tests run in parallel).
    expect(Math.abs(listing.free - disk.bavail * disk.bsize)).toBeLessThan(2 * 1024 * 1024 * 1024);
    expect(listing.free).toBeLessThanOrEqual(listing.total);
    expect(listing.free).toBeGreaterThan(0);
  });

  it('answers the overview and the setup', async () => {
    const overview = await admin().get();
    expect(overview.logs.files.map((file) => file.name)).toContain('hotend.log');
    expect(overview.serial_log).toEqual({ enabled: true });
    const setup = await admin().getSetup();
    expect(setup.loggers).toEqual(
      expect.arrayContaining(['hotend.client', 'hotend.comm', 'hotend.http', 'hotend.system']),
    );
    expect(setup.levels).toEqual({});
    // OctoPrint's client asks for `plugin/logging/`, with the slash; same answer, same permission.
    const slash = await fetch(`${server.url}/plugin/logging/`, { headers: { 'x-api-key': TEST_KEYS.ADMIN } });
    expect(slash.status).toBe(200);
    expect(((await slash.json()) as { serial_log: unknown }).serial_log).toEqual({ enabled: true });
    const refused = await fetch(`${server.url}/plugin/logging/`, { headers: { 'x-api-key': TEST_KEYS.STATUS } });
    expect(refused.status).toBe(403);
  });

  it("keeps Nest's route mapping out of hotend.log at the default level (it is debug output)", async () => {
    const text = await admin().downloadLog('hotend.log');
    expect(text).not.toMatch(/\[RoutesResolver\]|\[InstanceLoader\]/);
  });

  it('downloads a file as text/plain with Content-Disposition, on both URLs', async () => {
    expect(await admin().downloadLog('alphabet.log')).toBe(ALPHABET);
    for (const path of ['/downloads/logs/alphabet.log', '/plugin/logging/logs/alphabet.log']) {
      const response = await fetch(`${server.url}${path}`, { headers: { 'x-api-key': TEST_KEYS.ADMIN } });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/plain; charset=utf-8');
      expect(response.headers.get('content-disposition')).toBe(
        `attachment; filename="alphabet.log"; filename*=UTF-8''alphabet.log`,
      );
      expect(response.headers.get('content-length')).toBe(String(ALPHABET.length));
      expect(response.headers.get('accept-ranges')).toBe('bytes');
      expect(await response.text()).toBe(ALPHABET);
    }
  });

  it('answers HEAD with the headers only', async () => {
    const response = await fetch(`${server.url}/downloads/logs/alphabet.log`, {
      method: 'HEAD',
      headers: { 'x-api-key': TEST_KEYS.ADMIN },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-length')).toBe(String(ALPHABET.length));
    expect(await response.text()).toBe('');
  });

  it('serves byte ranges', async () => {
    const get = (range: string) =>
      fetch(`${server.url}/downloads/logs/alphabet.log`, { headers: { 'x-api-key': TEST_KEYS.ADMIN, range } });
    const first = await get('bytes=0-4');
    expect(first.status).toBe(206);
    expect(first.headers.get('content-range')).toBe(`bytes 0-4/${ALPHABET.length}`);
    expect(first.headers.get('content-length')).toBe('5');
    expect(await first.text()).toBe('abcde');
    const middle = await get('bytes=26-');
    expect(middle.status).toBe(206);
    expect(await middle.text()).toBe('0123456789\n');
    const suffix = await get('bytes=-3');
    expect(await suffix.text()).toBe('89\n');
    const clipped = await get('bytes=30-1000');
    expect(clipped.headers.get('content-range')).toBe(`bytes 30-36/${ALPHABET.length}`);
    expect(await clipped.text()).toBe('56789\n'.padStart(7, '4'));
    const outside = await get('bytes=500-600');
    expect(outside.status).toBe(416);
    expect(outside.headers.get('content-range')).toBe(`bytes */${ALPHABET.length}`);
    expect(await outside.json()).toEqual({
      error: `range: "bytes=500-600" lies outside the ${ALPHABET.length}-byte file`,
    });
    const ignored = await get('lines=1-2');
    expect(ignored.status).toBe(200);
    expect(await ignored.text()).toBe(ALPHABET);
    expect(await admin().downloadLog('alphabet.log', { range: { start: 1, end: 3 } })).toBe('bcd');
  });

  it('zips several files, skipping names that are not log files', async () => {
    const url = admin().bulkDownloadUrl(['alphabet.log', ROTATED, '../secret.txt', 'link.log', 'missing.log']);
    expect(url).toBe(
      `${server.url}/downloads/logs?files=alphabet.log&files=${ROTATED}&files=..%2Fsecret.txt&files=link.log&files=missing.log`,
    );
    const response = await fetch(url, { headers: { 'x-api-key': TEST_KEYS.ADMIN } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/zip');
    expect(response.headers.get('content-disposition')).toContain('hotend-logs.zip');
    const entries = unzip(Buffer.from(await response.arrayBuffer()));
    expect([...entries.keys()]).toEqual(['alphabet.log', ROTATED]);
    expect(entries.get('alphabet.log')).toBe(ALPHABET);
    expect(entries.get(ROTATED)).toBe(ROTATED_TEXT);

    const none = await fetch(`${server.url}/downloads/logs?files=..%2Fsecret.txt&files=nothing.log`, {
      headers: { 'x-api-key': TEST_KEYS.ADMIN },
    });
    expect(none.status).toBe(400);
    expect(await none.json()).toEqual({ error: 'None of the given files is a log file' });
  });

  const HOSTILE_NAMES = [
    '..',
    '.',
    '%2e%2e',
    '%2E%2E',
    '%2e',
    '..%2fsecret.txt',
    '%2e%2e%2fsecret.txt',
    '%2e%2e%5csecret.txt',
    '..%5csecret.txt',
    '..%2f..%2f..%2f..%2fetc%2fpasswd',
    '%2fetc%2fpasswd',
    '%2F' + 'etc%2Fpasswd',
    '..%252fsecret.txt',
    '%252e%252e%252fsecret.txt',
    '%c0%ae%c0%ae%2fsecret.txt',
    'sub%2finner.log',
    'sub',
    'up',
    'up%2fsecret.txt',
    'link.log',
    '.hidden.log',
    '%2ehidden.log',
    'secret.txt',
    'config.yaml',
    'hotend.log%00.txt',
    'alphabet.log%00',
    '....%2f%2fsecret.txt',
    '..%3bsecret.txt',
    '%20..%2fsecret.txt',
    '~%2fsecret.txt',
  ];

  it(`refuses ${HOSTILE_NAMES.length} hostile names for download and delete, touching nothing`, async () => {
    for (const name of HOSTILE_NAMES) {
      for (const [method, prefix] of [
        ['GET', '/downloads/logs/'],
        ['GET', '/plugin/logging/logs/'],
        ['DELETE', '/plugin/logging/logs/'],
      ] as const) {
        const answer = await raw(server, method, `${prefix}${name}`);
        expect([400, 404], `${method} ${prefix}${name} → ${answer.status}`).toContain(answer.status);
        expect(answer.body).not.toContain(SENTINEL);
        expect(answer.body).not.toContain('root:');
        expect(answer.body).not.toContain('api:');
      }
    }
    // Paths that the URL itself would climb out of.
    for (const path of ['/downloads/logs/../../secret.txt', '/plugin/logging/logs/../../../secret.txt']) {
      for (const method of ['GET', 'DELETE']) {
        const answer = await raw(server, method, path);
        expect([400, 404, 405]).toContain(answer.status);
        expect(answer.body).not.toContain(SENTINEL);
      }
    }
    expect(readFileSync(join(server.basedir, 'secret.txt'), 'utf8')).toBe(SENTINEL);
    expect(readFileSync(join(logs(), '.hidden.log'), 'utf8')).toBe(SENTINEL);
    expect(readFileSync(join(logs(), 'sub', 'inner.log'), 'utf8')).toBe(SENTINEL);
    expect(readFileSync(join(logs(), 'link.log'), 'utf8')).toBe(SENTINEL);
    expect(existsSync(join(server.basedir, 'config.yaml'))).toBe(true);
    expect(existsSync(join(logs(), 'up'))).toBe(true);
  });

  it('deletes a rotated file (204, then 404), and the SDK reports 404 for a missing one', async () => {
    writeFileSync(join(logs(), 'hotend.log.2026-01-01'), 'old\n');
    expect((await raw(server, 'DELETE', '/plugin/logging/logs/hotend.log.2026-01-01')).status).toBe(204);
    expect(existsSync(join(logs(), 'hotend.log.2026-01-01'))).toBe(false);
    expect((await raw(server, 'DELETE', '/plugin/logging/logs/hotend.log.2026-01-01')).status).toBe(404);
    const error = await admin()
      .deleteLog('hotend.log.2026-01-01')
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(HotendApiError);
    expect((error as HotendApiError).status).toBe(404);
    expect((error as HotendApiError).body).toEqual({ error: 'There is no log file named "hotend.log.2026-01-01"' });
  });

  it('keeps logging into a fresh hotend.log after the active one is deleted', async () => {
    const log = server.client(TEST_KEYS.LOG_WRITE).log;
    await admin().updateLevels({ 'hotend.client': 'info' });
    await log.writeOne({ level: 2, message: 'before delete', source: 't' });
    expect(readFileSync(join(logs(), 'hotend.log'), 'utf8')).toContain('before delete');
    await admin().deleteLog('hotend.log');
    await log.writeOne({ level: 2, message: 'after delete', source: 't' });
    const text = await admin().downloadLog('hotend.log');
    expect(text).toContain('after delete');
    expect(text).not.toContain('before delete');
    expect(readFileSync(join(logs(), 'hotend.log'), 'utf8')).toBe(text);
  });

  it('replaces, persists and applies levels, effective on the next line', async () => {
    const log = server.client(TEST_KEYS.LOG_WRITE).log;
    expect(await admin().updateLevels({ 'hotend.client': 'error', 'hotend.comm': 'debug' })).toEqual({
      'hotend.client': 'error',
      'hotend.comm': 'debug',
    });
    await log.write([{ level: 1, message: 'hidden warning', source: 't' }]);
    // OctoPrint's level words are accepted too, and stored as Hotend's.
    const octoprintStyle = await fetch(`${server.url}/plugin/logging/setup/levels`, {
      method: 'PUT',
      headers: { 'x-api-key': TEST_KEYS.ADMIN, 'content-type': 'application/json' },
      body: JSON.stringify({ 'hotend.client': 'WARNING' }),
    });
    expect(octoprintStyle.status).toBe(200);
    expect(await octoprintStyle.json()).toEqual({ 'hotend.client': 'warn' });
    await log.write([{ level: 1, message: 'shown warning', source: 't' }]);
    const text = await admin().downloadLog('hotend.log');
    expect(text).not.toContain('hidden warning');
    expect(text).toContain('shown warning');
    expect(await admin().getLevels()).toEqual({ 'hotend.client': 'warn' });
    const saved = parse(readFileSync(join(server.basedir, 'config.yaml'), 'utf8')) as {
      logging: { levels: Record<string, string> };
    };
    expect(saved.logging.levels).toEqual({ 'hotend.client': 'warn' });
  });

  it('refuses bad levels with 400 naming what was wrong, changing nothing', async () => {
    const put = (body: string, contentType = 'application/json') =>
      fetch(`${server.url}/plugin/logging/setup/levels`, {
        method: 'PUT',
        headers: { 'x-api-key': TEST_KEYS.ADMIN, 'content-type': contentType },
        body,
      });
    const badLevel = await put(JSON.stringify({ 'hotend.comm': 'loud', 'hotend.http': 'info' }));
    expect(badLevel.status).toBe(400);
    expect(await badLevel.json()).toEqual({
      error:
        'Invalid log level configuration: "loud" for hotend.comm is not a level (one of fatal, error, warn, info, debug, trace)',
    });
    const badName = await put(JSON.stringify({ 'octoprint.plugins': 'info' }));
    expect(badName.status).toBe(400);
    expect(((await badName.json()) as { error: string }).error).toContain('"octoprint.plugins" is not a logger name');
    const notObject = await put('["hotend"]');
    expect(notObject.status).toBe(400);
    const malformed = await put('{"hotend": ');
    expect(malformed.status).toBe(400);
    const wrongType = await put('hotend=info', 'text/plain');
    expect(wrongType.status).toBe(415);
    expect(await admin().getLevels()).toEqual({ 'hotend.client': 'warn' });
  });

  it('streams a 200 MB file in flat memory', async () => {
    const size = 200 * 1024 * 1024;
    writeFileSync(join(logs(), 'big.log'), '');
    truncateSync(join(logs(), 'big.log'), size);
    global.gc?.();
    const before = process.memoryUsage();
    let peakRss = before.rss;
    let received = 0;
    const stream = await downloadLogStream(server.client(TEST_KEYS.PLUGIN_LOGGING_MANAGE), 'big.log');
    for await (const chunk of stream) {
      received += (chunk as Buffer).length;
      if (received % (16 * 1024 * 1024) < 65536) peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    expect(received).toBe(size);
    // Server and client share this process; buffering the file anywhere would add 200 MB.
    expect(peakRss - before.rss).toBeLessThan(80 * 1024 * 1024);
  });

  it('requires PLUGIN_LOGGING_MANAGE on every route', async () => {
    const routes = [
      { method: 'GET', path: '/plugin/logging' },
      { method: 'GET', path: '/plugin/logging/logs' },
      { method: 'GET', path: '/plugin/logging/logs/alphabet.log' },
      { method: 'DELETE', path: '/plugin/logging/logs/nonexistent.log' },
      { method: 'GET', path: '/plugin/logging/setup' },
      { method: 'GET', path: '/plugin/logging/setup/levels' },
      { method: 'PUT', path: '/plugin/logging/setup/levels', body: { 'hotend.client': 'warn' } },
      { method: 'GET', path: '/downloads/logs/alphabet.log' },
      { method: 'GET', path: '/downloads/logs?files=alphabet.log' },
    ] as const;
    for (const route of routes) {
      await expectAuthMatrix(server.url, { ...route, permission: Permission.PLUGIN_LOGGING_MANAGE });
    }
  });
});
