/**
 * GET /downloads/logs/<1 GB file> on Hotend (auth, name checks, streamed from an open descriptor) against a raw
 * Node HTTP server piping the same file, both measured here in the same run. Reports throughput (goal: ratio
 * >= 0.5 of the raw stream) and the RSS growth of this process during Hotend's download (goal: <= 50 MB).
 * The file is sparse, so it costs nothing to create and reads at memory speed: this measures the server.
 */
import { createReadStream, mkdirSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { createServer, get, type IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHotendApp } from '../apps/server/dist/app.factory.js';
import { loadConfig } from '../apps/server/dist/config/config.loader.js';
import { median, ratio, report, spread } from './report.js';

const KEY = 'bench-key-0123456789abcdef';
const SIZE = Number(process.env['BENCH_LOG_BYTES'] ?? 1024 * 1024 * 1024);
const ROUNDS = 3;

interface Download {
  bytesPerSecond: number;
  rssGrowth: number;
}

/** Downloads a URL, discarding the bytes, sampling RSS as it goes. */
function download(url: string, headers: Record<string, string>): Promise<Download> {
  const startRss = process.memoryUsage().rss;
  let peakRss = startRss;
  const started = performance.now();
  return new Promise((resolve, reject) => {
    get(url, { headers }, (response: IncomingMessage) => {
      if (response.statusCode !== 200) {
        reject(new Error(`${url}: ${response.statusCode}`));
        response.resume();
        return;
      }
      let received = 0;
      let nextSample = 0;
      response.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (received >= nextSample) {
          peakRss = Math.max(peakRss, process.memoryUsage().rss);
          nextSample += 16 * 1024 * 1024;
        }
      });
      response.on('end', () => {
        if (received !== SIZE) reject(new Error(`${url}: got ${received} of ${SIZE} bytes`));
        const seconds = (performance.now() - started) / 1000;
        resolve({
          bytesPerSecond: received / seconds,
          rssGrowth: Math.max(peakRss, process.memoryUsage().rss) - startRss,
        });
      });
      response.on('error', reject);
    }).on('error', reject);
  });
}

const basedir = mkdtempSync(join(tmpdir(), 'hotend-bench-dl-'));
mkdirSync(join(basedir, 'logs'));
const file = join(basedir, 'logs', 'big.log');
writeFileSync(file, '');
truncateSync(file, SIZE);
writeFileSync(
  join(basedir, 'config.yaml'),
  `serial:\n  autoconnect: false\nlogging:\n  maxTotalBytes: 0\napi:\n  keys:\n    - name: bench\n      key: ${KEY}\n      permissions: [PLUGIN_LOGGING_MANAGE]\n`,
);

const raw = createServer((_request, response) => {
  response.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'content-length': String(SIZE) });
  createReadStream(file, { highWaterMark: 64 * 1024 }).pipe(response);
});
await new Promise<void>((resolve) => raw.listen(0, '127.0.0.1', resolve));
const rawAddress = raw.address();
if (rawAddress === null || typeof rawAddress !== 'object') throw new Error('no address');

const app = await createHotendApp(loadConfig(basedir), { logger: false, swaggerUi: false });
await app.listen({ port: 0, host: '127.0.0.1' });
const address = app.getHttpServer().address();
if (address === null || typeof address !== 'object') throw new Error('no address');

try {
  const rawUrl = `http://127.0.0.1:${rawAddress.port}/big.log`;
  const hotendUrl = `http://127.0.0.1:${address.port}/downloads/logs/big.log`;
  // A first round of each warms up both paths; then alternating rounds, compared by their medians.
  await download(rawUrl, {});
  const firstHotend = await download(hotendUrl, { 'x-api-key': KEY });
  const hotend: Download[] = [];
  const baseline: Download[] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    hotend.push(await download(hotendUrl, { 'x-api-key': KEY }));
    baseline.push(await download(rawUrl, {}));
  }
  const mb = (bytes: number): number => Math.round((bytes / 1024 / 1024) * 10) / 10;
  const ratios = hotend.map((round, index) => ratio(round.bytesPerSecond, baseline[index]?.bytesPerSecond ?? 0));
  report({
    bench: 'log-download',
    case: `GET /downloads/logs, ${mb(SIZE)} MB (median of ${ROUNDS})`,
    value: mb(median(hotend.map((round) => round.bytesPerSecond))),
    unit: 'MB/s',
    baseline: mb(median(baseline.map((round) => round.bytesPerSecond))),
    ratio: median(ratios),
    goal: '>= 0.5',
    spread: spread(ratios),
  });
  report({
    bench: 'log-download',
    case: 'RSS growth during the download',
    // The largest of the rounds, so allocator warm-up in the first one is not hidden.
    value: mb(Math.max(firstHotend.rssGrowth, ...hotend.map((round) => round.rssGrowth))),
    unit: 'MB',
    baseline: mb(Math.max(...baseline.map((round) => round.rssGrowth))),
    goal: '<= 50',
  });
} finally {
  await app.close();
  await new Promise<void>((resolve) => raw.close(() => resolve()));
  rmSync(basedir, { recursive: true, force: true });
}
