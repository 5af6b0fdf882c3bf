import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ConfigError, loadConfig } from '../src/config/config.loader.js';
import { startTestServer, TEST_KEYS, type TestServer } from './harness.js';

const ALLOWED = 'http://dashboard.test:3000';
const OPENAPI = fileURLToPath(new URL('../../../openapi.yaml', import.meta.url));

function preflight(url: string, origin: string): Promise<Response> {
  return fetch(url, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': 'GET', 'access-control-request-headers': 'x-api-key,range' },
  });
}

describe('CORS with server.cors.origins', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ config: { server: { cors: { origins: [ALLOWED] } } } });
  });
  afterAll(() => server.close());

  it('answers an allowed origin’s preflight with the methods and headers the API uses', async () => {
    const response = await preflight(`${server.url}/api/printer`, ALLOWED);
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    expect(response.headers.get('access-control-allow-methods')).toBe('GET, HEAD, POST, PUT, DELETE');
    expect(response.headers.get('access-control-allow-headers')).toBe(
      'X-Api-Key, Authorization, Content-Type, Range, X-Plex-Token',
    );
  });

  it('lets an allowed origin read answers, errors and the headers a client needs', async () => {
    const ok = await fetch(`${server.url}/api/version`, {
      headers: { origin: ALLOWED, 'x-api-key': TEST_KEYS.STATUS },
    });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    expect(ok.headers.get('access-control-expose-headers')).toContain('Content-Range');
    const refused = await fetch(`${server.url}/api/version`, { headers: { origin: ALLOWED } });
    expect(refused.status).toBe(403);
    expect(refused.headers.get('access-control-allow-origin')).toBe(ALLOWED);
  });

  it('lets an allowed origin read the router’s own refusals (a malformed URL) too', async () => {
    const malformed = `${server.url}/api/files/local/%E0%A4%A`;
    const allowed = await fetch(malformed, { headers: { origin: ALLOWED } });
    expect(allowed.status).toBe(400);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    expect(allowed.headers.get('access-control-expose-headers')).toContain('Content-Range');
    const other = await fetch(malformed, { headers: { origin: 'http://elsewhere.test' } });
    expect(other.status).toBe(400);
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('gives another origin no CORS headers, so its browser refuses the answer', async () => {
    const response = await preflight(`${server.url}/api/printer`, 'http://elsewhere.test');
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    const get = await fetch(`${server.url}/api/version`, {
      headers: { origin: 'http://elsewhere.test', 'x-api-key': TEST_KEYS.STATUS },
    });
    expect(get.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('defaults: same origin only; the API docs', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  it('answers a preflight (not 404) but allows no other origin', async () => {
    const response = await preflight(`${server.url}/api/printer`, ALLOWED);
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('serves Swagger UI with the committed openapi.yaml', async () => {
    const page = await (await fetch(`${server.url}/api/docs`)).text();
    for (const asset of [...page.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1] ?? '')) {
      const response = await fetch(`${server.url}${asset}`);
      const size = (await response.arrayBuffer()).byteLength;
      expect({ asset, status: response.status, empty: size === 0 }).toEqual({ asset, status: 200, empty: false });
    }
    const yaml = await fetch(`${server.url}/api/docs/openapi.yaml`);
    expect(await yaml.text()).toBe(readFileSync(OPENAPI, 'utf8'));
    const json = await fetch(`${server.url}/api/docs/openapi.json`);
    expect(await json.json()).toEqual(parse(readFileSync(OPENAPI, 'utf8')));
  });
});

describe('server.cors.origins validation', () => {
  it('refuses an origin with a path, naming the key', () => {
    const basedir = mkdtempSync(join(tmpdir(), 'hotend-cors-'));
    try {
      writeFileSync(join(basedir, 'config.yaml'), 'server:\n  cors:\n    origins: ["http://a.test/app"]\n');
      expect(() => loadConfig(basedir)).toThrow(ConfigError);
      expect(() => loadConfig(basedir)).toThrow(/server\.cors\.origins/);
    } finally {
      rmSync(basedir, { recursive: true, force: true });
    }
  });
});
