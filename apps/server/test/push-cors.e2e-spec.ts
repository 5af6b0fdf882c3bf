import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './harness.js';
import { RawPushSocket } from './push-helpers.js';

const ALLOWED = 'http://dashboard.test:3000';
const REFUSED = 'http://evil.example';

/**
 * `/sockjs` follows `server.cors.origins` like the REST API: a page on an allowed origin may use the info route,
 * the XHR transports and the websocket; any other origin gets 403 on each of them.
 */
describe('CORS on /sockjs with server.cors.origins', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ config: { server: { cors: { origins: [ALLOWED] } } } });
  });
  afterAll(() => server.close());

  it('info: an allowed origin gets the answer with its CORS headers; another origin 403', async () => {
    const allowed = await fetch(`${server.url}/sockjs/info?t=1`, { headers: { origin: ALLOWED } });
    expect(allowed.status).toBe(200);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    expect(allowed.headers.get('access-control-allow-credentials')).toBe('true');
    expect(await allowed.json()).toMatchObject({ websocket: true });

    const preflight = await fetch(`${server.url}/sockjs/info`, {
      method: 'OPTIONS',
      headers: { origin: ALLOWED, 'access-control-request-method': 'GET' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(ALLOWED);

    for (const method of ['GET', 'OPTIONS']) {
      const refused = await fetch(`${server.url}/sockjs/info`, { method, headers: { origin: REFUSED } });
      expect(refused.status).toBe(403);
      expect(refused.headers.get('access-control-allow-origin')).toBeNull();
      expect(await refused.text()).toMatch(/server\.cors\.origins/);
    }
  });

  it('xhr polling: an allowed origin opens a session and reads `connected`; another origin is refused', async () => {
    const base = `${server.url}/sockjs/123/corstest/xhr`;
    const open = await fetch(base, { method: 'POST', headers: { origin: ALLOWED } });
    expect(open.status).toBe(200);
    expect(open.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    expect(await open.text()).toBe('o\n');
    const sendPreflight = await fetch(`${server.url}/sockjs/123/corstest/xhr_send`, {
      method: 'OPTIONS',
      headers: { origin: ALLOWED, 'access-control-request-method': 'POST' },
    });
    expect(sendPreflight.status).toBe(204);
    expect(sendPreflight.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    const first = await fetch(base, { method: 'POST', headers: { origin: ALLOWED } });
    expect(await first.text()).toMatch(/^a\[\{"connected":\{/);

    const refused = await fetch(`${server.url}/sockjs/123/corsevil/xhr`, {
      method: 'POST',
      headers: { origin: REFUSED },
    });
    expect(refused.status).toBe(403);
    const refusedSend = await fetch(`${server.url}/sockjs/123/corstest/xhr_send`, {
      method: 'POST',
      headers: { origin: REFUSED, 'content-type': 'text/plain' },
      body: '["{\\"throttle\\":2}"]',
    });
    expect(refusedSend.status).toBe(403);
  });

  it('websocket: an allowed origin connects; another origin gets 403 on the upgrade', async () => {
    const socket = await RawPushSocket.open(server.url, { origin: ALLOWED });
    await socket.next('connected');
    await socket.close();
    await expect(RawPushSocket.open(server.url, { origin: REFUSED })).rejects.toThrow(/403/);
  });
});
