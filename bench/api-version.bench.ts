/**
 * GET /api/version on Hotend (full stack: guard, pipe, filter) against a raw Fastify route answering the same
 * JSON, both measured here in the same run with autocannon. Goal: ratio >= 0.7.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import Fastify from 'fastify';
import { createHotendApp } from '../apps/server/dist/app.factory.js';
import { loadConfig } from '../apps/server/dist/config/config.loader.js';
import { ratio, report } from './report.js';

const KEY = 'bench-key-0123456789abcdef';
const DURATION_S = Number(process.env['BENCH_DURATION'] ?? 5);

async function measure(url: string, headers: Record<string, string>): Promise<{ rps: number; p99: number }> {
  await autocannon({ url, connections: 10, duration: 1, headers }); // warm-up
  const result = await autocannon({ url, connections: 50, pipelining: 1, duration: DURATION_S, headers });
  if (result.non2xx > 0 || result.errors > 0)
    throw new Error(`${url}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return { rps: result.requests.average, p99: result.latency.p99 };
}

const raw = Fastify();
raw.get('/api/version', async () => ({ api: '0.1', server: '0.1.0', text: 'Hotend 0.1.0' }));
await raw.listen({ port: 0, host: '127.0.0.1' });
const rawAddress = raw.server.address();
if (rawAddress === null || typeof rawAddress !== 'object') throw new Error('no address');

const basedir = mkdtempSync(join(tmpdir(), 'hotend-bench-'));
writeFileSync(
  join(basedir, 'config.yaml'),
  `serial:\n  autoconnect: false\napi:\n  keys:\n    - name: bench\n      key: ${KEY}\n      permissions: [STATUS]\n`,
);
const app = await createHotendApp(loadConfig(basedir), { logger: false, swaggerUi: false });
await app.listen({ port: 0, host: '127.0.0.1' });
const hotendAddress = app.getHttpServer().address();
if (hotendAddress === null || typeof hotendAddress !== 'object') throw new Error('no address');

try {
  const baseline = await measure(`http://127.0.0.1:${rawAddress.port}/api/version`, {});
  const hotend = await measure(`http://127.0.0.1:${hotendAddress.port}/api/version`, { 'x-api-key': KEY });
  report({
    bench: 'api-version',
    case: 'GET /api/version req/s',
    value: hotend.rps,
    unit: 'req/s',
    baseline: baseline.rps,
    ratio: ratio(hotend.rps, baseline.rps),
    goal: '>= 0.7',
  });
  report({
    bench: 'api-version',
    case: 'GET /api/version p99',
    value: hotend.p99,
    unit: 'ms',
    baseline: baseline.p99,
    ratio: ratio(hotend.p99, baseline.p99),
    goal: 'lower is better',
  });
} finally {
  await app.close();
  await raw.close();
  rmSync(basedir, { recursive: true, force: true });
}
