/**
 * Hostile bodies must not stall the server: a GET /api/version probe's latency while four clients keep sending
 * 2,000-deep and 100,000-deep JSON, 70,000-key objects and 900 KB strings to POST /api/printer/bed, against the same
 * probe on the idle server, both measured here in the same run. Goal: p99 under hostile load <= 10 x idle p99 + 5 ms
 * (before the issue 11 fixes one 70,000-key body held the event loop for 4-11 s).
 * Idle and loaded probes run in interleaved rounds and the figures are the medians of the rounds, so a burst of
 * other load on the machine lands on both sides rather than on one (single rounds wandered from 18 to 53 x); the
 * spread column shows the range of the rounds' ratios.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHotendApp } from '../apps/server/dist/app.factory.js';
import { loadConfig } from '../apps/server/dist/config/config.loader.js';
import { median, report, spread } from './report.js';

const KEY = 'bench-key-0123456789abcdef';
/** Probing time per round. */
const DURATION_MS = Number(process.env['BENCH_DURATION'] ?? 2) * 1000;
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 3);

const HOSTILE_BODIES = [
  '['.repeat(2000) + ']'.repeat(2000),
  '['.repeat(100_000) + ']'.repeat(100_000),
  `{${Array.from({ length: 70_000 }, (_, i) => `"k${i}":1`).join(',')}}`,
  JSON.stringify({ command: 'target', target: 'x'.repeat(900_000) }),
];

const basedir = mkdtempSync(join(tmpdir(), 'hotend-bench-'));
writeFileSync(
  join(basedir, 'config.yaml'),
  `serial:\n  autoconnect: false\napi:\n  keys:\n    - name: bench\n      key: ${KEY}\n      permissions: [ADMIN]\n`,
);
const app = await createHotendApp(loadConfig(basedir), { logger: false, swaggerUi: false });
await app.listen({ port: 0, host: '127.0.0.1' });
const address = app.getHttpServer().address();
if (address === null || typeof address !== 'object') throw new Error('no address');
const base = `http://127.0.0.1:${address.port}`;

/** Sequential probes for `durationMs`; their latencies in ms, sorted. */
async function probe(durationMs: number): Promise<number[]> {
  const latencies: number[] = [];
  const end = performance.now() + durationMs;
  while (performance.now() < end) {
    const started = performance.now();
    const response = await fetch(`${base}/api/version`, { headers: { 'x-api-key': KEY } });
    await response.arrayBuffer();
    if (response.status !== 200) throw new Error(`probe answered ${response.status}`);
    latencies.push(performance.now() - started);
  }
  return latencies.sort((a, b) => a - b);
}

const p99 = (sorted: number[]): number => sorted[Math.floor(0.99 * (sorted.length - 1))] ?? 0;

/** Probes while four clients keep sending hostile bodies; the probe latencies and how many bodies were answered. */
async function probeUnderAttack(durationMs: number): Promise<{ latencies: number[]; hostileSent: number }> {
  let hostileSent = 0;
  let running = true;
  const attacker = async (offset: number): Promise<void> => {
    for (let index = offset; running; index += 1) {
      const response = await fetch(`${base}/api/printer/bed`, {
        method: 'POST',
        headers: { 'x-api-key': KEY, 'content-type': 'application/json' },
        body: HOSTILE_BODIES[index % HOSTILE_BODIES.length],
      });
      await response.arrayBuffer();
      if (response.status >= 500) throw new Error(`hostile body answered ${response.status}`);
      hostileSent += 1;
    }
  };
  const attackers = [0, 1, 2, 3].map(attacker);
  const latencies = await probe(durationMs);
  running = false;
  await Promise.all(attackers);
  return { latencies, hostileSent };
}

try {
  await probe(500); // warm-up
  const idle: number[] = [];
  const loaded: number[] = [];
  const hostileRates: number[] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    idle.push(p99(await probe(DURATION_MS)));
    const attacked = await probeUnderAttack(DURATION_MS);
    loaded.push(p99(attacked.latencies));
    hostileRates.push(attacked.hostileSent / (DURATION_MS / 1000));
  }
  const ratios = loaded.map((value, round) => value / (idle[round] ?? value));
  report({
    bench: 'hostile-input',
    case: 'GET /api/version p99 under hostile bodies',
    value: median(loaded),
    unit: 'ms',
    baseline: median(idle),
    ratio: median(idle) === 0 ? 0 : median(loaded) / median(idle),
    goal: '<= 10 (+5 ms)',
    spread: spread(ratios),
  });
  report({
    bench: 'hostile-input',
    case: 'hostile bodies refused',
    value: median(hostileRates),
    unit: 'req/s',
    spread: spread(hostileRates),
  });
} finally {
  await app.close();
  rmSync(basedir, { recursive: true, force: true });
}
