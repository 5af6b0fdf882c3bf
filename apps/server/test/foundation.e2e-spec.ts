import { HotendApiError } from '@hotend/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Permission } from '../src/auth/permission.js';
import { expectAuthMatrix } from './auth-matrix.js';
import { startTestServer, TEST_KEYS, type TestServer } from './harness.js';

describe('foundation: version, server, currentuser, auth and errors', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ config: { server: { bodyLimit: 2048 } } });
  });
  afterAll(async () => {
    await server.close();
  });

  it('serves the version through the SDK', async () => {
    const version = await server.client().version.get();
    expect(version).toEqual({ api: '0.1', server: '0.1.0', text: 'Hotend 0.1.0' });
  });

  it('serves server info through the SDK', async () => {
    expect(await server.client(TEST_KEYS.STATUS).server.get()).toEqual({ version: '0.1.0', safemode: false });
  });

  it.each([
    ['GET', '/api/version'],
    ['GET', '/api/server'],
  ] as const)('guards %s %s with STATUS', async (method, path) => {
    await expectAuthMatrix(server.url, { method, path, permission: Permission.STATUS });
  });

  it('reports the current user for each kind of key', async () => {
    expect(await server.client(TEST_KEYS.STATUS).currentUser.get()).toEqual({
      name: 'status',
      permissions: ['STATUS'],
      groups: ['users'],
    });
    const admin = await server.client().currentUser.get();
    expect(admin.name).toBe('admin');
    expect(admin.permissions).toEqual(Object.values(Permission));
    expect(await server.client(null).currentUser.get()).toEqual({ name: null, permissions: [], groups: ['guests'] });
  });

  it('treats an invalid key on currentuser as anonymous, as OctoPrint does', async () => {
    expect((await server.client('nope-nope-nope-nope').currentUser.get()).name).toBeNull();
  });

  it('surfaces refusals in the SDK as a typed error with status and body', async () => {
    const error = await server
      .client(TEST_KEYS.CONTROL)
      .version.get()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HotendApiError);
    expect((error as HotendApiError).status).toBe(403);
    expect((error as HotendApiError).body).toEqual({ error: 'The API key "control" lacks the STATUS permission' });
  });

  it('answers 403 with a JSON error for a missing key', async () => {
    const response = await fetch(`${server.url}/api/version`);
    expect(response.status).toBe(403);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await response.json()).toEqual({ error: 'No API key was given' });
  });

  it('answers 404 with a JSON error for unknown routes', async () => {
    const response = await fetch(`${server.url}/api/nothing-here`, { headers: { 'x-api-key': TEST_KEYS.ADMIN } });
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: 'Cannot GET /api/nothing-here' });
  });

  it('answers 400 for malformed JSON, naming the problem, without a stack trace', async () => {
    const response = await fetch(`${server.url}/api/version`, {
      method: 'POST',
      headers: { 'x-api-key': TEST_KEYS.ADMIN, 'content-type': 'application/json' },
      body: '{"command": ',
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: string };
    expect(body.error).toMatch(/not valid JSON/);
    expect(JSON.stringify(body)).not.toMatch(/at .*\.js/);
  });

  it('answers 415 for a non-JSON body on a JSON endpoint', async () => {
    const response = await fetch(`${server.url}/api/connection`, {
      method: 'POST',
      headers: { 'x-api-key': TEST_KEYS.ADMIN, 'content-type': 'text/plain' },
      body: 'hello',
    });
    expect(response.status).toBe(415);
    expect(await response.json()).toEqual({
      error: "Did not attempt to load JSON data because the request Content-Type was not 'application/json'.",
    });
  });

  it('answers 413 for a body over the limit', async () => {
    const response = await fetch(`${server.url}/api/version`, {
      method: 'POST',
      headers: { 'x-api-key': TEST_KEYS.ADMIN, 'content-type': 'application/json' },
      body: JSON.stringify({ padding: 'x'.repeat(4096) }),
    });
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({ error: 'Request body is too large' });
  });

  it('serves the Swagger UI and the OpenAPI document without a key', async () => {
    const ui = await fetch(`${server.url}/api/docs`);
    expect(ui.status).toBe(200);
    expect(await ui.text()).toContain('swagger');
    const spec = (await (await fetch(`${server.url}/api/docs/openapi.json`)).json()) as {
      paths: Record<string, unknown>;
      components: { securitySchemes: Record<string, unknown> };
    };
    expect(Object.keys(spec.paths)).toEqual(
      expect.arrayContaining(['/api/version', '/api/server', '/api/currentuser']),
    );
    expect(Object.keys(spec.components.securitySchemes)).toEqual(
      expect.arrayContaining(['apikeyQuery', 'apikeyHeader', 'bearer']),
    );
  });

  it("documents each family's answer to a missing key: 403 for OctoPrint, 401 for build logs and /log", async () => {
    type Responses = Record<string, { description: string } | undefined>;
    const spec = (await (await fetch(`${server.url}/api/docs/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { responses: Responses }>>;
    };
    const responses = (path: string, method: string): Responses => spec.paths[path]?.[method]?.responses ?? {};
    expect(responses('/api/printer', 'get')['403']?.description).toBe(
      'Missing or invalid API key, or the key lacks STATUS',
    );
    expect(responses('/api/printer', 'get')['401']).toBeUndefined();
    for (const [path, method, permission] of [
      ['/api/v1/logs', 'get', 'BUILDLOGS_READ'],
      ['/api/v1/logs', 'post', 'BUILDLOGS_PUBLISH'],
      ['/log', 'post', 'LOG_WRITE'],
    ] as const) {
      expect(responses(path, method)['403']?.description).toBe(`The key lacks ${permission}`);
      expect(responses(path, method)['401']?.description).toMatch(/token|key/i);
    }
  });

  it('names the permission of every operation that needs a key, and only of those', async () => {
    type Operation = { security?: Record<string, unknown>[]; 'x-permission'?: string };
    const spec = (await (await fetch(`${server.url}/api/docs/openapi.json`)).json()) as {
      paths: Record<string, Record<string, Operation>>;
    };
    const operations = Object.entries(spec.paths).flatMap(([path, item]) =>
      Object.entries(item).map(([method, operation]) => ({ name: `${method} ${path}`, operation })),
    );
    expect(operations.length).toBeGreaterThan(30);
    for (const { name, operation } of operations) {
      // Public operations list `{}` (no key) first among their security requirements.
      const open = operation.security?.some((requirement) => Object.keys(requirement).length === 0) ?? true;
      expect({ name, permission: operation['x-permission'] !== undefined }).toEqual({ name, permission: !open });
    }
  });
});
