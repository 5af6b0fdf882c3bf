/**
 * POST /log with batches of 1,000 messages (full stack: auth, raw-body parsing, validation, level filtering, readable
 * line formatting, flush before the 200) against pino writing the same lines straight to a file, both
 * measured here in alternating rounds of the same run. Goal: messages/s ratio >= 0.5 (median of the rounds).
 */
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import pino from 'pino';
import { createHotendApp } from '../apps/server/dist/app.factory.js';
import { loadConfig } from '../apps/server/dist/config/config.loader.js';
import { median, ratio, report, spread } from './report.js';

const KEY = 'bench-key-0123456789abcdef';
const ROUND_S = Number(process.env['BENCH_DURATION'] ?? 2);
const ROUNDS = 5;
const BATCH = 1000;

const messageText = (i: number): string => `Bench message ${i} from the touchscreen: extruder at 215.3/215.0`;
const body = Array.from(
  { length: BATCH },
  (_, i) => `level=2&message=${encodeURIComponent(messageText(i))}&source=bench`,
).join('\n');

/** pino straight to a file: the same number of info lines, as fast as it goes, flushed at the end. */
async function pinoMessagesPerSecond(folder: string): Promise<number> {
  const destination = pino.destination({ dest: join(folder, 'baseline.log'), sync: false, minLength: 8192 });
  const logger = pino({ base: undefined, name: 'hotend.client' }, destination);
  const started = performance.now();
  let written = 0;
  while (performance.now() - started < ROUND_S * 1000) {
    for (let i = 0; i < BATCH; i += 1) logger.info(`[bench] ${messageText(i)}`);
    written += BATCH;
    // Let the file writes run, as a server's event loop would.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  await new Promise<void>((resolve) => destination.flush(() => resolve()));
  const seconds = (performance.now() - started) / 1000;
  destination.end();
  return written / seconds;
}

const basedir = mkdtempSync(join(tmpdir(), 'hotend-bench-log-'));
writeFileSync(
  join(basedir, 'config.yaml'),
  [
    'serial:',
    '  autoconnect: false',
    'logging:',
    '  maxTotalBytes: 0',
    '  levels:',
    '    hotend.client: info',
    'api:',
    '  keys:',
    '    - name: bench',
    `      key: ${KEY}`,
    '      permissions: [LOG_WRITE]',
    '',
  ].join('\n'),
);
const app = await createHotendApp(loadConfig(basedir), { logger: false, swaggerUi: false });
await app.listen({ port: 0, host: '127.0.0.1' });
const address = app.getHttpServer().address();
if (address === null || typeof address !== 'object') throw new Error('no address');

try {
  const url = `http://127.0.0.1:${address.port}/log?X-Plex-Token=${KEY}`;
  const options = { url, method: 'POST' as const, body, headers: { 'content-type': 'text/plain' } };
  await autocannon({ ...options, connections: 2, duration: 1 }); // warm-up
  // Alternating rounds, so both see the same machine; the figures are the medians.
  const hotendRates: number[] = [];
  const baselineRates: number[] = [];
  let requests = 0;
  for (let round = 0; round < ROUNDS; round += 1) {
    const result = await autocannon({ ...options, connections: 4, duration: ROUND_S });
    if (result.non2xx > 0 || result.errors > 0) throw new Error(`${result.non2xx} non-2xx, ${result.errors} errors`);
    requests += result.requests.total;
    hotendRates.push((result.requests.total * BATCH) / (result.duration || ROUND_S));
    baselineRates.push(await pinoMessagesPerSecond(basedir));
  }
  const written = statSync(join(basedir, 'logs', 'hotend.log')).size;
  if (written < requests * BATCH * 50) throw new Error(`hotend.log holds only ${written} bytes`);
  const ratios = hotendRates.map((value, index) => ratio(value, baselineRates[index] ?? 0));
  report({
    bench: 'log-ingest',
    case: `POST /log, ${BATCH} messages per request (median of ${ROUNDS})`,
    value: Math.round(median(hotendRates)),
    unit: 'messages/s',
    baseline: Math.round(median(baselineRates)),
    ratio: median(ratios),
    goal: '>= 0.5',
    spread: spread(ratios),
  });
} finally {
  await app.close();
  rmSync(basedir, { recursive: true, force: true });
}
