import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './harness.js';

/** Collects the text frames of a SockJS websocket session (`o`, `a[...]`, `h`, `c[...]`). */
async function openSockjsWebsocket(url: string): Promise<{ ws: WebSocket; frames: string[] }> {
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/sockjs/123/abcdefgh/websocket`);
  const frames: string[] = [];
  ws.on('message', (data) => frames.push(String(data)));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return { ws, frames };
}

async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('SockJS wire protocol at /sockjs', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  it('greets, and /info says websocket, no cookie, with a random entropy and no caching', async () => {
    const greeting = await fetch(`${server.url}/sockjs`);
    expect(greeting.status).toBe(200);
    expect(await greeting.text()).toBe('Welcome to SockJS!\n');

    const first = await fetch(`${server.url}/sockjs/info?t=1`);
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toMatch(/^application\/json/);
    expect(first.headers.get('cache-control')).toContain('no-store');
    const info = (await first.json()) as {
      websocket: boolean;
      cookie_needed: boolean;
      origins: string[];
      entropy: number;
    };
    expect(info).toMatchObject({ websocket: true, cookie_needed: false, origins: ['*:*'] });
    expect(typeof info.entropy).toBe('number');
    const second = (await (await fetch(`${server.url}/sockjs/info`)).json()) as { entropy: number };
    expect(second.entropy).not.toBe(info.entropy);

    const options = await fetch(`${server.url}/sockjs/info`, { method: 'OPTIONS' });
    expect(options.status).toBe(204);
  });

  it('the websocket transport opens with `o`, then sends `connected` as an object inside the array frame', async () => {
    const { ws, frames } = await openSockjsWebsocket(server.url);
    await until(() => frames.length >= 2);
    expect(frames[0]).toBe('o');
    const array = JSON.parse((frames[1] as string).slice(1)) as unknown[];
    expect(frames[1]?.startsWith('a[{"connected":')).toBe(true);
    expect(typeof array[0]).toBe('object');
    // Both client framings are accepted: an array of JSON strings, and a bare JSON string.
    ws.send(JSON.stringify([JSON.stringify({ auth: 'nobody:nothing' })]));
    ws.send(JSON.stringify(JSON.stringify({ auth: 'nobody:nothing' })));
    await until(() => frames.filter((frame) => frame.includes('reauthRequired')).length >= 2);
    // A frame that is not JSON ends the session (sockjs-node's "Broken framing").
    ws.send('{nope');
    await until(() => frames.some((frame) => frame.startsWith('c[')) || ws.readyState === WebSocket.CLOSED);
    ws.close();
  });

  it('xhr-polling: open, send, receive, unknown session 404, empty body 500', async () => {
    const base = `${server.url}/sockjs/000/xhrsessn`;
    const open = await fetch(`${base}/xhr`, { method: 'POST' });
    expect(await open.text()).toBe('o\n');
    const connected = await (await fetch(`${base}/xhr`, { method: 'POST' })).text();
    expect(connected.startsWith('a[{"connected":')).toBe(true);
    const sent = await fetch(`${base}/xhr_send`, {
      method: 'POST',
      body: JSON.stringify([JSON.stringify({ auth: 'x:y' })]),
    });
    expect(sent.status).toBe(204);
    expect(await (await fetch(`${base}/xhr`, { method: 'POST' })).text()).toBe(
      'a[{"reauthRequired":{"reason":"stale"}}]\n',
    );
    expect((await fetch(`${server.url}/sockjs/000/unknown1/xhr_send`, { method: 'POST', body: '["x"]' })).status).toBe(
      404,
    );
    const empty = await fetch(`${base}/xhr_send`, { method: 'POST' });
    expect(empty.status).toBe(500);
    expect(await empty.text()).toBe('Payload expected.');
  });

  it('refuses another origin on every /sockjs path, and lets the same origin and no origin through', async () => {
    expect((await fetch(`${server.url}/sockjs/info`, { headers: { origin: 'http://evil.example' } })).status).toBe(403);
    const host = new URL(server.url).host;
    expect((await fetch(`${server.url}/sockjs/info`, { headers: { origin: `http://${host}` } })).status).toBe(200);
    const upgrade = new WebSocket(`${server.url.replace(/^http/, 'ws')}/sockjs/1/abcdefgh/websocket`, {
      headers: { origin: 'http://evil.example' },
    });
    await expect(
      new Promise((resolve, reject) => {
        upgrade.once('open', resolve);
        upgrade.once('error', reject);
      }),
    ).rejects.toThrow(/403/);
  });

  it('other routes still reach the API', async () => {
    expect((await fetch(`${server.url}/api/currentuser`)).status).toBe(200);
    expect((await fetch(`${server.url}/sockjsx`)).status).toBe(404);
  });
});
