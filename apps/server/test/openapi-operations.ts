import { readFileSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { parse } from 'yaml';
import type { Permission } from '../src/auth/permission.js';

/** Operations as `openapi.yaml` declares them: the fuzz and auth-matrix suites cover whatever is there. */

interface SchemaObject {
  $ref?: string;
  type?: string;
  properties?: Record<string, SchemaObject>;
  items?: SchemaObject;
  enum?: unknown[];
  oneOf?: SchemaObject[];
  allOf?: SchemaObject[];
}

export interface SpecParameter {
  readonly name: string;
  readonly in: 'path' | 'query' | 'header';
  readonly schema: SchemaObject;
}

export interface SpecOperation {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';
  /** The path template, e.g. `/api/v1/logs/{id}`. */
  readonly path: string;
  readonly name: string;
  /** The `x-permission` the operation needs; undefined for a public one. */
  readonly permission: Permission | undefined;
  /** Whether calling it without a key is allowed (its security list holds `{}`). */
  readonly isPublic: boolean;
  /** Whether the key may come as `X-Plex-Token`. */
  readonly acceptsPlexToken: boolean;
  readonly parameters: readonly SpecParameter[];
  /** Media types of the request body, if it has one. */
  readonly bodyTypes: readonly string[];
  /** Top-level properties of the JSON body's schema ($refs resolved). */
  readonly bodyProperties: readonly string[];
}

interface RawOperation {
  operationId?: string;
  'x-permission'?: Permission;
  security?: Record<string, unknown>[];
  parameters?: { name: string; in: string; schema?: SchemaObject }[];
  requestBody?: { content: Record<string, { schema?: SchemaObject }> };
  responses?: unknown;
}

const SPEC_FILE = fileURLToPath(new URL('../../../openapi.yaml', import.meta.url));

export function loadSpecOperations(): SpecOperation[] {
  const spec = parse(readFileSync(SPEC_FILE, 'utf8')) as {
    paths: Record<string, Record<string, RawOperation>>;
    components?: { schemas?: Record<string, SchemaObject> };
  };
  const schemas = spec.components?.schemas ?? {};
  const resolve = (schema: SchemaObject | undefined): SchemaObject | undefined => {
    if (schema?.$ref === undefined) return schema;
    return resolve(schemas[schema.$ref.replace('#/components/schemas/', '')]);
  };
  const propertiesOf = (schema: SchemaObject | undefined): string[] => {
    const resolved = resolve(schema);
    return [
      ...Object.keys(resolved?.properties ?? {}),
      ...(resolved?.allOf ?? []).flatMap((part) => propertiesOf(part)),
    ];
  };
  const operations: SpecOperation[] = [];
  for (const [path, methods] of Object.entries(spec.paths)) {
    for (const [method, operation] of Object.entries(methods)) {
      if (typeof operation !== 'object' || operation.responses === undefined) continue;
      const security = operation.security ?? [];
      const content = operation.requestBody?.content ?? {};
      operations.push({
        method: method.toUpperCase() as SpecOperation['method'],
        path,
        name: `${method.toUpperCase()} ${path}`,
        permission: operation['x-permission'],
        isPublic: security.some((entry) => Object.keys(entry).length === 0),
        acceptsPlexToken: security.some((entry) => 'plexToken' in entry),
        parameters: (operation.parameters ?? [])
          .filter((parameter) => ['path', 'query', 'header'].includes(parameter.in))
          .map((parameter) => ({
            name: parameter.name,
            in: parameter.in as SpecParameter['in'],
            schema: resolve(parameter.schema) ?? {},
          })),
        bodyTypes: Object.keys(content),
        bodyProperties: propertiesOf(content['application/json']?.schema),
      });
    }
  }
  return operations;
}

/** A plausible value for a path parameter: enough to reach the handler, never one that exists by chance. */
export function sampleValue(parameter: SpecParameter): string {
  const first = parameter.schema.enum?.[0];
  if (first !== undefined) return String(first);
  if (parameter.schema.type === 'integer' || parameter.schema.type === 'number') return '1';
  return parameter.name === 'filename' ? 'hotend.log' : 'sample';
}

/** The path with every `{param}` filled from `values`, or a sample value. */
export function concretePath(operation: SpecOperation, values: Record<string, string> = {}): string {
  return operation.path.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const parameter = operation.parameters.find((candidate) => candidate.name === name && candidate.in === 'path');
    return values[name] ?? (parameter === undefined ? 'sample' : encodeURIComponent(sampleValue(parameter)));
  });
}

/** Spellings of a path the router decodes to the same route: one letter of each segment percent-encoded. */
export function percentEncodedSpellings(path: string): string[] {
  const segments = path.split('/');
  const spellings: string[] = [];
  segments.forEach((segment, index) => {
    const letter = /[a-z]/i.exec(segment);
    if (letter === null || segment.includes('%')) return;
    const encoded = `%${letter[0].charCodeAt(0).toString(16)}`;
    const spelled = [...segments];
    spelled[index] = segment.slice(0, letter.index) + encoded + segment.slice(letter.index + 1);
    spellings.push(spelled.join('/'));
  });
  return spellings;
}

export type Family = 'octoprint' | 'vieter' | 'plex';

/** Which API family a (raw) path belongs to, by its decoded form; written independently of the server's rule. */
export function familyOf(rawPath: string): Family {
  const path = rawPath.split('?')[0] ?? '';
  let decoded = path;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    // A malformed escape: the router did not decode it either.
  }
  if (decoded.startsWith('/api/v1/')) return 'vieter';
  if (decoded === '/log' || decoded.startsWith('/log/')) return 'plex';
  return 'octoprint';
}

/** The status a missing or bad key gets in each family. */
export const UNAUTHENTICATED_STATUS: Record<Family, 401 | 403> = { octoprint: 403, vieter: 401, plex: 401 };

export interface RawResponse {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
}

const agent = new Agent({ keepAlive: true, maxSockets: 16 });

/** One request with the path exactly as given (no normalisation of `..` or escapes, unlike fetch). */
export function rawRequest(
  baseUrl: string,
  options: { method: string; path: string; headers?: Record<string, string>; body?: string | Buffer },
): Promise<RawResponse> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      {
        agent,
        hostname,
        port,
        method: options.method,
        path: options.path,
        // Node sends a GET or DELETE body without framing unless told its length: the server would read it as
        // the next request.
        headers:
          options.body === undefined
            ? options.headers
            : { 'content-length': String(Buffer.byteLength(options.body)), ...options.headers },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            contentType: String(response.headers['content-type'] ?? ''),
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(options.body);
  });
}

/** Asserts an error answer is in the envelope of the family its path belongs to. */
export function expectFamilyEnvelope(path: string, response: RawResponse, label: string): void {
  const family = familyOf(path);
  if (family !== 'octoprint' && response.status === 401) {
    expect(response.contentType, label).toMatch(/^text\/plain/);
    expect(response.body, label).toBe('401 Unauthorized');
    return;
  }
  if (family === 'plex') {
    expect(response.contentType, label).toMatch(/^text\/plain/);
    expect(response.body.length, label).toBeGreaterThan(0);
    return;
  }
  expect(response.contentType, label).toMatch(/^application\/json/);
  const body = JSON.parse(response.body) as Record<string, unknown>;
  if (family === 'octoprint') {
    expect(response.status, label).not.toBe(401);
    expect(Object.keys(body), label).toEqual(['error']);
    expect(typeof body['error'] === 'string' && body['error'] !== '', label).toBe(true);
  } else {
    expect(body, label).toEqual({ message: expect.any(String) as unknown, data: '' });
    expect(body['message'], label).not.toBe('');
  }
}
