/**
 * GET /api/version on Hotend (full stack: guard, pipe, filter) against a raw Fastify route answering the same
 * JSON, both measured here in the same run with autocannon. Goal: ratio >= 0.7.
 * The two are measured in interleaved rounds (the order alternating), and the figures are the medians of the
 * rounds: one round of each, one after the other, put any burst of load on the machine on one side only (quiet runs
 * gave 0.54 to 0.72). The spread column shows the range of the rounds' ratios.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import Fastify from 'fastify';
import { createHotendApp } from '../apps/server/dist/app.factory.js';
import { loadConfig } from '../apps/server/dist/config/config.loader.js';
import { median, ratio, report, spread } from './report.js';

const KEY = 'bench-key-0123456789abcdef';
/** Seconds per round. */
const DURATION_S = Number(process.env['BENCH_DURATION'] ?? 2);
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 5);

interface Target {
  readonly url: string;
  readonly headers: Record<string, string>;
}

async function measure({ url, headers }: Target): Promise<{ rps: number; p99: number }> {
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
  const raw: Target = { url: `http://127.0.0.1:${rawAddress.port}/api/version`, headers: {} };
  const hotend: Target = { url: `http://127.0.0.1:${hotendAddress.port}/api/version`, headers: { 'x-api-key': KEY } };
  for (const { url, headers } of [raw, hotend]) await autocannon({ url, connections: 10, duration: 1, headers }); // warm-up
  const rounds: { raw: { rps: number; p99: number }; hotend: { rps: number; p99: number } }[] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    if (round % 2 === 0) {
      const rawRound = await measure(raw);
      rounds.push({ raw: rawRound, hotend: await measure(hotend) });
    } else {
      const hotendRound = await measure(hotend);
      rounds.push({ raw: await measure(raw), hotend: hotendRound });
    }
  }
  const rpsRatios = rounds.map((one) => ratio(one.hotend.rps, one.raw.rps));
  const p99Ratios = rounds.map((one) => ratio(one.hotend.p99, one.raw.p99));
  report({
    bench: 'api-version',
    case: 'GET /api/version req/s',
    value: median(rounds.map((one) => one.hotend.rps)),
    unit: 'req/s',
    baseline: median(rounds.map((one) => one.raw.rps)),
    ratio: median(rpsRatios),
    goal: '>= 0.7',
    spread: spread(rpsRatios),
  });
  report({
    bench: 'api-version',
    case: 'GET /api/version p99',
    value: median(rounds.map((one) => one.hotend.p99)),
    unit: 'ms',
    baseline: median(rounds.map((one) => one.raw.p99)),
    ratio: median(p99Ratios),
    goal: 'lower is better',
    spread: spread(p99Ratios),
  });
} finally {
  await app.close();
  await raw.close();
  rmSync(basedir, { recursive: true, force: true });
}
