import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, TEST_KEYS, type TestServer } from './harness.js';
import {
  concretePath,
  expectFamilyEnvelope,
  loadSpecOperations,
  percentEncodedSpellings,
  rawRequest,
  type RawResponse,
  type SpecOperation,
} from './openapi-operations.js';

/**
 * OpenAPI-driven fuzz: every operation in openapi.yaml gets malformed path and query parameters, headers and
 * bodies. No answer may be a 5xx, every error must be in its family's envelope, and the server must keep answering.
 * Endpoints added later are covered without anyone listing them; multipart and other non-JSON bodies get garbage of
 * their own kind and must be refused with a 4xx like anything else.
 */

const BODY_LIMIT = 256 * 1024;
const INGEST_LIMIT = 64 * 1024;
const BUILD_LOG_LIMIT = 64 * 1024;

const PATH_VALUES = [
  'abc',
  '-1',
  '0',
  '1.5',
  '1e309',
  '9'.repeat(30),
  '9'.repeat(600),
  'x'.repeat(3000),
  '%00',
  'a%00b',
  '..',
  '%2e%2e',
  '..%2F..%2Fetc%2Fpasswd',
  '%2F',
  '%5C..%5C',
  '.hidden',
  'a%20b',
  '%ZZ',
  '%',
  '%C3%A9',
  '%F0%9F%94%A5',
  '%EF%BF%BF',
  '__proto__',
  'constructor',
  '%3Cscript%3E',
  '%24(reboot)',
  'hotend.log%2F..',
];
const QUERY_VALUES = [
  '',
  'abc',
  '-1',
  '0',
  '1.5',
  '1e309',
  'NaN',
  'Infinity',
  '9'.repeat(400),
  '%00',
  'x'.repeat(6000),
  'true',
  '%ZZ',
  '..%2F..%2Fetc%2Fpasswd',
  '!0,!',
  ',,,',
  '%E2%80%AE',
  '[]',
  '{}',
];
const HEADER_VALUES = [
  'bytes=',
  'bytes=abc',
  'bytes=-0',
  'bytes=99999999999999999999999-',
  'bytes=5-1',
  'bytes=0-1,2-3',
  'x'.repeat(6000),
];
const WRONG_VALUES: unknown[] = [
  null,
  true,
  -1,
  1.5,
  1e308,
  '',
  'x',
  'x'.repeat(200_000),
  'a\u0000b',
  [],
  [1, 'a', null],
  {},
  { nested: { deep: [1] } },
  Array.from({ length: 2000 }, () => 'M105'),
  '%(x)s',
  '../../etc/passwd',
];

const deep = (depth: number): string => '['.repeat(depth) + ']'.repeat(depth);
const manyKeys = (count: number): string => `{${Array.from({ length: count }, (_, i) => `"k${i}":${i}`).join(',')}}`;

interface FuzzRequest {
  readonly label: string;
  readonly method: string;
  readonly path: string;
  readonly headers?: Record<string, string>;
  readonly body?: string | Buffer;
}

function bodyCases(operation: SpecOperation): FuzzRequest[] {
  const path = concretePath(operation);
  const json = (label: string, body: string, contentType = 'application/json'): FuzzRequest => ({
    label: `body ${label}`,
    method: operation.method,
    path,
    headers: { 'content-type': contentType },
    body,
  });
  const cases: FuzzRequest[] = [
    json('invalid JSON', '{"command":'),
    json('NUL', '\u0000'),
    json('empty JSON', ''),
    json('deep arrays', deep(2000)),
    json('deep objects', '{"a":'.repeat(5000) + '1' + '}'.repeat(5000)),
    json('many keys', manyKeys(5000)),
    json('proto poisoning', '{"__proto__":{"admin":true},"constructor":{"prototype":{"x":1}}}'),
    json('oversize JSON', JSON.stringify({ command: 'x'.repeat(BODY_LIMIT * 2) })),
    json('top-level array', '[]'),
    json('top-level string', '"target"'),
    json('top-level null', 'null'),
    json('text', 'command=target&target=5', 'text/plain'),
    json('xml', '<command>target</command>', 'application/xml'),
    json('form', 'command=target&target[a]=5', 'application/x-www-form-urlencoded'),
    json('multipart without boundary', '--x\r\n\r\n--x--', 'multipart/form-data'),
    json(
      'multipart with a hostile file name',
      '--b\r\ncontent-disposition: form-data; name="file"; filename="../../x\u0000.gcode"\r\n\r\nG28\r\n--b--\r\n',
      'multipart/form-data; boundary=b',
    ),
    json(
      'truncated multipart',
      '--b\r\ncontent-disposition: form-data; name="file"; filename="a.gcode"\r\n\r\nG2',
      'multipart/form-data; boundary=b',
    ),
    json('binary', '\u00ff\u00fe\u0000\u0001garbage', 'application/octet-stream'),
    json('invalid UTF-8 text', '\u00c3\u0028level=0', 'text/plain; charset=utf-8'),
    json('oversize text', 'level=0&message=x&source=y\n'.repeat(Math.ceil((BUILD_LOG_LIMIT * 2) / 27)), 'text/plain'),
    json(
      'many form parameters',
      Array.from({ length: 5000 }, (_, i) => `level=${i % 5}&message=m${i}`).join('&'),
      'text/plain',
    ),
    json('a very long line', `level=0&message=${'x'.repeat(50_000)}&source=y`, 'text/plain'),
  ];
  for (const property of operation.bodyProperties) {
    for (const value of WRONG_VALUES) {
      cases.push(json(`${property}=${JSON.stringify(value).slice(0, 40)}`, JSON.stringify({ [property]: value })));
    }
  }
  return cases;
}

function parameterCases(operation: SpecOperation): FuzzRequest[] {
  const cases: FuzzRequest[] = [];
  for (const parameter of operation.parameters) {
    if (parameter.in === 'path') {
      for (const value of PATH_VALUES) {
        cases.push({
          label: `path ${parameter.name}=${value.slice(0, 30)}`,
          method: operation.method,
          path: concretePath(operation, { [parameter.name]: value }),
        });
      }
    } else if (parameter.in === 'query') {
      const base = concretePath(operation);
      for (const value of QUERY_VALUES) {
        cases.push({
          label: `query ${parameter.name}=${value.slice(0, 30)}`,
          method: operation.method,
          path: `${base}?${parameter.name}=${value}`,
        });
      }
      cases.push({
        label: `query ${parameter.name} repeated`,
        method: operation.method,
        path: `${base}?${parameter.name}=1&${parameter.name}=2&${parameter.name}=x`,
      });
      cases.push({
        label: `query ${parameter.name}[a]`,
        method: operation.method,
        path: `${base}?${parameter.name}[a][b]=1`,
      });
    } else {
      for (const value of HEADER_VALUES) {
        cases.push({
          label: `header ${parameter.name}=${value.slice(0, 30)}`,
          method: operation.method,
          path: concretePath(operation),
          headers: { [parameter.name]: value },
        });
      }
    }
  }
  const base = concretePath(operation);
  cases.push(
    {
      label: 'unknown query parameters',
      method: operation.method,
      path: `${base}?__proto__[x]=1&constructor[prototype][y]=2&${'p=1&'.repeat(500)}`,
    },
    { label: 'headers too large', method: operation.method, path: base, headers: { 'x-filler': 'x'.repeat(20_000) } },
    { label: 'weird accept', method: operation.method, path: base, headers: { accept: '*/*;q=x, text/\u00e9' } },
    ...percentEncodedSpellings(base).map((spelling) => ({
      label: `spelled ${spelling}`,
      method: operation.method,
      path: spelling,
    })),
    ...percentEncodedSpellings(base).map((spelling) => ({
      label: `spelled ${spelling} with garbage`,
      method: operation.method,
      path: spelling,
      headers: { 'content-type': 'application/json' },
      body: deep(2000),
    })),
  );
  return cases;
}

describe('OpenAPI-driven fuzz', () => {
  let server: TestServer;
  const operations = loadSpecOperations();
  const histogram = new Map<number, number>();
  let requests = 0;
  const probeLatencies: number[] = [];

  beforeAll(async () => {
    server = await startTestServer({
      printer: 'virtual',
      config: {
        server: { bodyLimit: BODY_LIMIT },
        logging: { ingestBodyLimit: INGEST_LIMIT },
        buildLogs: { maxBodyBytes: BUILD_LOG_LIMIT },
      },
    });
  });
  afterAll(async () => {
    const statuses = [...histogram.entries()].sort(([a], [b]) => a - b).map(([status, count]) => `${status}: ${count}`);
    const sorted = [...probeLatencies].sort((a, b) => a - b);
    const percentile = (p: number): number => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
    console.log(
      `fuzz: ${requests} requests over ${operations.length} operations; statuses ${statuses.join(', ')}; ` +
        `concurrent GET /api/version probe: ${sorted.length} answered, median ${percentile(0.5).toFixed(1)} ms, ` +
        `p99 ${percentile(0.99).toFixed(1)} ms, max ${(sorted.at(-1) ?? 0).toFixed(1)} ms`,
    );
    await server.close();
  });

  it('reads every operation from openapi.yaml', () => {
    expect(operations.length).toBeGreaterThanOrEqual(30);
  });

  const send = async (request: FuzzRequest, key: string): Promise<RawResponse> => {
    const response = await rawRequest(server.url, {
      method: request.method,
      path: request.path,
      headers: { 'x-api-key': key, ...request.headers },
      ...(request.body === undefined ? {} : { body: request.body }),
    }).catch((error: unknown) => {
      throw new Error(`${request.method} ${request.path.slice(0, 100)} ${request.label}: ${String(error)}`);
    });
    requests += 1;
    histogram.set(response.status, (histogram.get(response.status) ?? 0) + 1);
    return response;
  };

  it.each(operations.map((operation) => [operation.name, operation] as const))(
    '%s: no 5xx, every error in its family envelope, the server keeps answering',
    async (_name, operation) => {
      const cases = [...parameterCases(operation), ...(operation.method === 'GET' ? [] : bodyCases(operation))];
      // A probe runs alongside; its latencies go to the report (speed is judged by bench/, not by assertions).
      let running = true;
      const probe = (async () => {
        while (running) {
          const started = performance.now();
          const answer = await rawRequest(server.url, {
            method: 'GET',
            path: '/api/version',
            headers: { 'x-api-key': TEST_KEYS.STATUS },
          });
          probeLatencies.push(performance.now() - started);
          expect(answer.status).toBe(200);
        }
      })();
      try {
        const queue = [...cases];
        const worker = async (): Promise<void> => {
          for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
            const response = await send(next, TEST_KEYS.ADMIN);
            const label = `${operation.name} ${next.label} -> ${response.status} ${response.body.slice(0, 200)}`;
            expect(response.status, label).toBeLessThan(500);
            if (response.status >= 400) expectFamilyEnvelope(next.path, response, label);
          }
        };
        await Promise.all(Array.from({ length: 2 }, worker));
      } finally {
        running = false;
        await probe;
      }
      const version = await rawRequest(server.url, {
        method: 'GET',
        path: '/api/version',
        headers: { 'x-api-key': TEST_KEYS.ADMIN },
      });
      expect(version.status).toBe(200);
    },
  );
});
