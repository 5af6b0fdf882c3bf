import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, TEST_KEYS, type TestServer } from './harness.js';

describe('POST /api/login and /api/logout', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  const post = (
    path: string,
    options: { key?: string; body?: unknown; query?: string; via?: 'header' | 'query' | 'bearer' } = {},
  ) => {
    const headers: Record<string, string> = {};
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    let query = options.query ?? '';
    if (options.key !== undefined) {
      if (options.via === 'query') query += `${query ? '&' : '?'}apikey=${options.key}`;
      else if (options.via === 'bearer') headers['authorization'] = `Bearer ${options.key}`;
      else headers['x-api-key'] = options.key;
    }
    return fetch(`${server.url}${path}${query}`, {
      method: 'POST',
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
  };

  it('a passive login with a key answers the key as OctoPrint user, with a fresh 64-hex session each time', async () => {
    const sessions = new Set<string>();
    for (const via of ['header', 'query', 'bearer'] as const) {
      const response = await post('/api/login', { key: TEST_KEYS.STATUS, body: { passive: true }, via });
      expect(response.status).toBe(200);
      expect(response.headers.get('set-cookie')).toBeNull();
      const body = (await response.json()) as Record<string, unknown>;
      expect(body).toMatchObject({
        name: 'status',
        active: true,
        admin: false,
        user: true,
        roles: ['user'],
        groups: [],
        permissions: ['STATUS'],
        needs: { role: ['status'], group: [] },
        apikey: null,
        settings: {},
        _login_mechanism: 'apikey',
        _is_external_client: false,
      });
      expect(body['session']).toMatch(/^[0-9a-f]{64}$/);
      expect(body['_credentials_seen']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$/);
      sessions.add(body['session'] as string);
    }
    expect(sessions.size).toBe(3);
  });

  it('an ADMIN key gets every role', async () => {
    const body = (await (await post('/api/login', { key: TEST_KEYS.ADMIN, body: { passive: 1 } })).json()) as {
      needs: { role: string[] };
      admin: boolean;
      roles: string[];
    };
    expect(body.admin).toBe(true);
    expect(body.roles).toEqual(['user', 'admin']);
    expect(body.needs.role).toContain('monitor_terminal');
    expect(body.needs.role).toContain('status');
  });

  it('without a key: a guest, with no name and no session', async () => {
    const response = await post('/api/login', { body: { passive: true } });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      needs: { role: [], group: [] },
      _is_external_client: false,
      _credentials_seen: false,
    });
  });

  it('a bad key is a guest too (the socket then gets nothing)', async () => {
    const body = (await (
      await post('/api/login', { key: 'not-a-key-000000000', body: { passive: true } })
    ).json()) as Record<string, unknown>;
    expect(body['name']).toBeUndefined();
    expect(body['session']).toBeUndefined();
  });

  it('?passive=1 with an empty body is a passive login; an empty body alone is 400; GET is 405', async () => {
    const passive = await post('/api/login', { key: TEST_KEYS.STATUS, query: '?passive=1' });
    expect(passive.status).toBe(200);
    expect(((await passive.json()) as { name: string }).name).toBe('status');

    const empty = await post('/api/login', { key: TEST_KEYS.STATUS, body: {} });
    expect(empty.status).toBe(400);
    expect(await empty.json()).toEqual({ error: 'Neither user and pass attributes nor passive flag present' });
    const noBody = await post('/api/login', { key: TEST_KEYS.STATUS });
    expect(noBody.status).toBe(400);

    const get = await fetch(`${server.url}/api/login`);
    expect(get.status).toBe(405);
  });

  it('an active login is refused with 403 (no accounts), and the 4th failure within a minute is 429', async () => {
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 4; attempt += 1) {
      statuses.push((await post('/api/login', { body: { user: 'admin', pass: 'guess' } })).status);
    }
    expect(statuses).toEqual([403, 403, 403, 429]);
    // Passive logins are not counted and not limited.
    expect((await post('/api/login', { key: TEST_KEYS.STATUS, body: { passive: true } })).status).toBe(200);
  });

  it('logout answers the guest needs as JSON', async () => {
    const response = await post('/api/logout', { key: TEST_KEYS.STATUS, body: {} });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ needs: { role: [], group: [] } });
    const anonymous = await post('/api/logout');
    expect(anonymous.status).toBe(200);
  });
});
