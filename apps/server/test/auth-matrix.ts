import { expect } from 'vitest';
import { Permission } from '../src/auth/permission.js';
import { TEST_KEYS } from './harness.js';

export interface AuthMatrixCase {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  permission: Permission;
  /** JSON body for POST/PUT (sent with application/json). */
  body?: unknown;
  /** Status for a missing or bad key: 403 for OctoPrint routes, 401 for build logs and /log. */
  unauthenticatedStatus?: 401 | 403;
}

async function call(base: string, spec: AuthMatrixCase, headers: Record<string, string>, query = ''): Promise<number> {
  const separator = spec.path.includes('?') ? '&' : '?';
  const response = await fetch(`${base}${spec.path}${query ? separator + query : ''}`, {
    method: spec.method,
    headers: spec.body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
    body: spec.body === undefined ? undefined : JSON.stringify(spec.body),
  });
  await response.arrayBuffer();
  return response.status;
}

/** A key that holds every permission except the one under test. */
function otherPermission(permission: Permission): Permission {
  return permission === Permission.STATUS ? Permission.LOG_WRITE : Permission.STATUS;
}

/**
 * Refused without a key, with a bad key (each location), and with a key lacking the permission; let through
 * (any status but 401/403) with the right permission and with ADMIN, from each key location.
 */
export async function expectAuthMatrix(base: string, spec: AuthMatrixCase): Promise<void> {
  const refused = spec.unauthenticatedStatus ?? 403;
  const bad = 'not-a-valid-key-0000000000';
  expect(await call(base, spec, {}), 'no key').toBe(refused);
  expect(await call(base, spec, {}, `apikey=${bad}`), 'bad key in query').toBe(refused);
  expect(await call(base, spec, { 'x-api-key': bad }), 'bad X-Api-Key').toBe(refused);
  expect(await call(base, spec, { authorization: `Bearer ${bad}` }), 'bad bearer').toBe(refused);
  expect(await call(base, spec, { 'x-api-key': TEST_KEYS[otherPermission(spec.permission)] }), 'lacking').toBe(403);

  for (const key of [TEST_KEYS[spec.permission], TEST_KEYS.ADMIN]) {
    for (const status of [
      await call(base, spec, {}, `apikey=${encodeURIComponent(key)}`),
      await call(base, spec, { 'x-api-key': key }),
      await call(base, spec, { authorization: `Bearer ${key}` }),
    ]) {
      expect([401, 403], `${spec.method} ${spec.path} with ${key}`).not.toContain(status);
      expect(status, `${spec.method} ${spec.path} with ${key}`).toBeLessThan(500);
    }
  }
}
