import { Controller, Get } from '@nestjs/common';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { AuthModule } from '../src/auth/auth.module.js';
import { Permission } from '../src/auth/permission.js';
import { loadConfig } from '../src/config/config.loader.js';
import { ConfigModule } from '../src/config/config.module.js';
import { startTestServer, TEST_KEYS, type TestServer } from './harness.js';
import {
  concretePath,
  expectFamilyEnvelope,
  familyOf,
  loadSpecOperations,
  percentEncodedSpellings,
  rawRequest,
  type RawResponse,
  type SpecOperation,
  UNAUTHENTICATED_STATUS,
} from './openapi-operations.js';

/**
 * The auth matrix of every operation in openapi.yaml: no key, a bad key in each place, a key lacking the
 * permission, the exact permission and ADMIN, each also through a percent-encoded spelling of the path.
 */

const BAD_KEY = 'not-a-valid-key-0000000000';

/** A key holding another permission than `permission`. */
const lackingKey = (permission: Permission): string =>
  TEST_KEYS[permission === Permission.STATUS ? Permission.LOG_WRITE : Permission.STATUS];

function bodyFor(operation: SpecOperation): { headers: Record<string, string>; body?: string } {
  if (operation.bodyTypes.includes('application/json'))
    return { headers: { 'content-type': 'application/json' }, body: '{}' };
  if (operation.bodyTypes.length > 0)
    return { headers: { 'content-type': operation.bodyTypes[0] ?? 'text/plain' }, body: 'x' };
  return { headers: {} };
}

interface KeyPlacement {
  readonly label: string;
  readonly query: string;
  readonly headers: Record<string, string>;
}

/** Every way of presenting `key` the operation accepts: query, X-Api-Key, bearer (and X-Plex-Token for /log). */
function keyPlacements(operation: SpecOperation, key: string): KeyPlacement[] {
  const placements: KeyPlacement[] = [
    { label: 'apikey query', query: `apikey=${encodeURIComponent(key)}`, headers: {} },
    { label: 'X-Api-Key', query: '', headers: { 'x-api-key': key } },
    { label: 'bearer', query: '', headers: { authorization: `Bearer ${key}` } },
  ];
  if (operation.acceptsPlexToken) {
    placements.push(
      { label: 'X-Plex-Token header', query: '', headers: { 'x-plex-token': key } },
      { label: 'X-Plex-Token query', query: `X-Plex-Token=${encodeURIComponent(key)}`, headers: {} },
    );
  }
  return placements;
}

describe('auth matrix of every operation in openapi.yaml', () => {
  let server: TestServer;
  const operations = loadSpecOperations();

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  const call = (
    operation: SpecOperation,
    path: string,
    query: string,
    headers: Record<string, string>,
  ): Promise<RawResponse> => {
    const { headers: bodyHeaders, body } = bodyFor(operation);
    const separator = path.includes('?') ? '&' : '?';
    return rawRequest(server.url, {
      method: operation.method,
      path: query === '' ? path : `${path}${separator}${query}`,
      headers: { ...bodyHeaders, ...headers },
      ...(body === undefined ? {} : { body }),
    });
  };

  it('declares a permission for every operation that is not public', () => {
    expect(operations.length).toBeGreaterThanOrEqual(30);
    const undeclared = operations.filter((operation) => !operation.isPublic && operation.permission === undefined);
    expect(undeclared.map((operation) => operation.name)).toEqual([]);
  });

  it.each(operations.map((operation) => [operation.name, operation] as const))('%s', async (_name, operation) => {
    const canonical = concretePath(operation);
    for (const path of [canonical, ...percentEncodedSpellings(canonical)]) {
      const refused = UNAUTHENTICATED_STATUS[familyOf(path)];
      const expectRefused = (response: RawResponse, status: number, label: string): void => {
        expect(response.status, label).toBe(status);
        expectFamilyEnvelope(path, response, label);
      };
      const expectAdmitted = (response: RawResponse, label: string): void => {
        expect([401, 403], `${label}: ${response.status} ${response.body.slice(0, 200)}`).not.toContain(
          response.status,
        );
        expect(response.status, `${label}: ${response.body.slice(0, 200)}`).toBeLessThan(500);
      };
      const none = await call(operation, path, '', {});
      if (operation.isPublic) {
        expectAdmitted(none, `${path} without a key`);
        continue;
      }
      expectRefused(none, refused, `${path} without a key`);
      for (const placement of keyPlacements(operation, BAD_KEY)) {
        expectRefused(
          await call(operation, path, placement.query, placement.headers),
          refused,
          `${path} bad key in ${placement.label}`,
        );
      }
      const permission = operation.permission ?? Permission.ADMIN;
      expectRefused(
        await call(operation, path, '', { 'x-api-key': lackingKey(permission) }),
        403,
        `${path} lacking ${permission}`,
      );
      for (const key of [TEST_KEYS[permission], TEST_KEYS.ADMIN]) {
        for (const placement of keyPlacements(operation, key)) {
          expectAdmitted(
            await call(operation, path, placement.query, placement.headers),
            `${path} with ${key} in ${placement.label}`,
          );
        }
      }
    }
  });
});

@Controller('fail-closed-probe')
class UndeclaredController {
  /** Neither @RequirePermission nor @Public: the guard must refuse it. */
  @Get()
  open(): string {
    return 'reached';
  }
}

describe('a route without a declared permission', () => {
  let app: NestFastifyApplication;
  let basedir: string;

  beforeAll(async () => {
    basedir = mkdtempSync(join(tmpdir(), 'hotend-fail-closed-'));
    writeFileSync(
      join(basedir, 'config.yaml'),
      stringify({ api: { keys: [{ name: 'admin', key: TEST_KEYS.ADMIN, permissions: [Permission.ADMIN] }] } }),
    );
    const moduleRef = await Test.createTestingModule({
      imports: [ConfigModule.register(loadConfig(basedir)), AuthModule],
      controllers: [UndeclaredController],
    }).compile();
    app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter(), { logger: false });
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });
  afterAll(async () => {
    await app.close();
    rmSync(basedir, { recursive: true, force: true });
  });

  it('is refused even to ADMIN', async () => {
    const response = await app.inject({
      method: 'GET',
      url: '/fail-closed-probe',
      headers: { 'x-api-key': TEST_KEYS.ADMIN },
    });
    expect(response.statusCode).toBe(403);
    expect(response.body).not.toContain('reached');
    expect(response.json()).toMatchObject({ message: 'This endpoint declares no permission' });
  });
});
