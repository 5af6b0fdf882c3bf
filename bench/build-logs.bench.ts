// Build logs: list latency over 1,000,000 rows, publish throughput, and a 1 GB content download.
// Each measurement has a baseline from the same run: the same SQL straight on the repository, a raw
// SQLite insert + file write, and a plain file read. Only 127.0.0.1; temp files are removed at the end.
import {
  closeSync,
  fsyncSync,
  mkdtempSync,
  openSync,
  rmSync,
  writeFileSync,
  writeSync,
  createReadStream,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { stringify } from 'yaml';
import Database from 'better-sqlite3';
import { createHotendApp } from '../apps/server/dist/app.factory.js';
import { loadConfig } from '../apps/server/dist/config/config.loader.js';
import {
  BUILD_LOG_MIGRATIONS,
  migrate,
  SqliteBuildLogRepository,
  type BuildLogQuery,
} from '../apps/server/dist/build-logs/build-log.repository.js';
import { HotendClient } from '../packages/sdk/dist/index.js';
import { ratio, report } from './report.js';

const BENCH = 'build-logs';
const ROWS = 1_000_000;
const QUERIES_PER_CASE = 300;
const PUBLISHES = 300;
const KEY = 'bench-admin-key-0123456789abcdef';
const ARCHES = ['x86_64', 'aarch64', 'armv7', 'rp2040'];
const BASE_TIME = 1_600_000_000;

const percentile = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

/** Deterministic pseudo-random numbers, so every run queries the same data. */
function lcg(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}

/** Fills a schema-1 database (raw inserts, one transaction) and returns it for the repository to upgrade. */
function seed(databaseFile: string): void {
  const db = new Database(databaseFile);
  migrate(db, BUILD_LOG_MIGRATIONS.slice(0, 1));
  const random = lcg(7);
  const insert = db.prepare(
    'INSERT INTO build_logs (target_id, start_time, end_time, arch, exit_code) VALUES (?, ?, ?, ?, ?)',
  );
  db.transaction(() => {
    for (let i = 0; i < ROWS; i += 1) {
      const start = BASE_TIME + i * 60 + Math.floor(random() * 120);
      const roll = random();
      const exitCode = roll < 0.8 ? 0 : roll < 0.9 ? 1 : roll < 0.97 ? 2 : 137;
      insert.run(1 + Math.floor(random() * 200), start, start + 30, ARCHES[i % ARCHES.length], exitCode);
    }
  })();
  db.close();
}

/** Opens the seeded database through the repository, which applies the later migrations, then ANALYZE. */
function upgrade(databaseFile: string): void {
  const repository = SqliteBuildLogRepository.open(databaseFile);
  repository.db.exec('ANALYZE');
  repository.close();
}

async function main(): Promise<void> {
  const basedir = mkdtempSync(join(tmpdir(), 'hotend-bench-buildlogs-'));
  try {
    writeFileSync(
      join(basedir, 'config.yaml'),
      stringify({
        api: { keys: [{ name: 'bench', key: KEY, permissions: ['ADMIN'] }] },
        serial: { autoconnect: false },
      }),
      { mode: 0o600 },
    );
    let started = performance.now();
    seed(join(basedir, 'hotend.db'));
    report({
      bench: BENCH,
      case: `seed ${ROWS} rows (one transaction)`,
      value: (performance.now() - started) / 1000,
      unit: 's',
    });
    started = performance.now();
    upgrade(join(basedir, 'hotend.db'));
    report({
      bench: BENCH,
      case: `migrate ${ROWS} rows to schema ${BUILD_LOG_MIGRATIONS.length}`,
      value: (performance.now() - started) / 1000,
      unit: 's',
    });

    const app = await createHotendApp(loadConfig(basedir), { logger: false, swaggerUi: false });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.getHttpServer().address();
    const url = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
    const client = new HotendClient({ baseUrl: url, apiKey: KEY });
    const direct = SqliteBuildLogRepository.open(join(basedir, 'hotend.db'));

    try {
      await listLatency(url, direct);
      await publishThroughput(client, basedir);
      await largeContent(client, url, basedir);
    } finally {
      direct.close();
      await app.close();
    }
  } finally {
    rmSync(basedir, { recursive: true, force: true });
  }
}

type QueryCase = [name: string, make: (random: () => number) => Record<string, string>];

const lastStart = BASE_TIME + ROWS * 60;
const CASES: QueryCase[] = [
  ['no filter', () => ({})],
  ['target', (r) => ({ target: String(1 + Math.floor(r() * 200)) })],
  ['arch', (r) => ({ arch: ARCHES[Math.floor(r() * ARCHES.length)] ?? 'x86_64' })],
  ['before', (r) => ({ before: String(BASE_TIME + Math.floor(r() * ROWS * 60)) })],
  ['after', (r) => ({ after: String(BASE_TIME + Math.floor(r() * ROWS * 60)) })],
  ['after (last hour)', () => ({ after: String(lastStart - 3600) })],
  ['exit_codes=!0', () => ({ exit_codes: '!0' })],
  ['exit_codes=1,2', () => ({ exit_codes: '1,2' })],
  ['exit_codes=137', () => ({ exit_codes: '137' })],
  ['offset 10000', () => ({ offset: '10000' })],
  [
    'combined',
    (r) => ({
      target: String(1 + Math.floor(r() * 200)),
      arch: 'x86_64',
      exit_codes: '!0',
      after: String(BASE_TIME + Math.floor(r() * ROWS * 30)),
      before: String(lastStart),
    }),
  ],
];

function toQuery(params: Record<string, string>): BuildLogQuery {
  const codes = params['exit_codes'];
  const items = codes === undefined ? [] : codes.split(',');
  return {
    limit: 25,
    offset: Number(params['offset'] ?? 0),
    targetId: params['target'] === undefined ? undefined : Number(params['target']),
    startedBefore: params['before'] === undefined ? undefined : Number(params['before']),
    startedAfter: params['after'] === undefined ? undefined : Number(params['after']),
    arch: params['arch'],
    exitCodes:
      codes === undefined
        ? undefined
        : {
            include: items.filter((item) => !item.startsWith('!')).map(Number),
            exclude: items.filter((item) => item.startsWith('!')).map((item) => Number(item.slice(1))),
          },
  };
}

async function listLatency(url: string, direct: SqliteBuildLogRepository): Promise<void> {
  for (const [name, make] of CASES) {
    const random = lcg(name.length * 31 + 1);
    // Warm-up (JIT, statement cache, page cache), not measured.
    for (let i = 0; i < 30; i += 1) {
      await (
        await fetch(`${url}/api/v1/logs?${new URLSearchParams(make(random)).toString()}`, {
          headers: { 'x-api-key': KEY },
        })
      ).arrayBuffer();
    }
    const httpTimes: number[] = [];
    const directTimes: number[] = [];
    for (let i = 0; i < QUERIES_PER_CASE; i += 1) {
      const params = make(random);
      let started = performance.now();
      const expected = await direct.list(toQuery(params));
      directTimes.push(performance.now() - started);
      started = performance.now();
      const response = await fetch(`${url}/api/v1/logs?${new URLSearchParams(params).toString()}`, {
        headers: { 'x-api-key': KEY },
      });
      const body = (await response.json()) as { data: unknown[] };
      httpTimes.push(performance.now() - started);
      // Every case has more than a page of matches, so a short page means a wrong answer, not a fast one.
      if (response.status !== 200 || body.data.length !== 25 || expected.length !== 25) {
        throw new Error(
          `list ${name} answered ${response.status} with ${body.data.length} rows (direct ${expected.length})`,
        );
      }
    }
    httpTimes.sort((a, b) => a - b);
    directTimes.sort((a, b) => a - b);
    const p99 = percentile(httpTimes, 99);
    const baseline99 = percentile(directTimes, 99);
    report({
      bench: BENCH,
      case: `list ${name}: p50`,
      value: percentile(httpTimes, 50),
      unit: 'ms',
      baseline: percentile(directTimes, 50),
    });
    report({
      bench: BENCH,
      case: `list ${name}: p99`,
      value: p99,
      unit: 'ms',
      baseline: baseline99,
      ratio: ratio(p99, baseline99),
      goal: 'p99 <= 10 ms',
    });
  }
}

async function publishThroughput(client: HotendClient, basedir: string): Promise<void> {
  const body = Buffer.alloc(10 * 1024, 0x6c);
  let started = performance.now();
  for (let i = 0; i < PUBLISHES; i += 1) {
    await client.buildLogs.publish(
      { target: 1, startTime: lastStart + i, endTime: lastStart + i, arch: 'x86_64', exitCode: 0 },
      body,
    );
  }
  const httpRate = PUBLISHES / ((performance.now() - started) / 1000);

  // Baseline: what publish does minus HTTP and validation: durable file write + rename-free insert.
  const rawDir = join(basedir, 'raw');
  rmSync(rawDir, { recursive: true, force: true });
  const db = new Database(join(basedir, 'raw.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec(
    'CREATE TABLE logs (id INTEGER PRIMARY KEY AUTOINCREMENT, target_id INT, start_time INT, end_time INT, arch TEXT, exit_code INT)',
  );
  const insert = db.prepare(
    'INSERT INTO logs (target_id, start_time, end_time, arch, exit_code) VALUES (?, ?, ?, ?, ?)',
  );
  started = performance.now();
  for (let i = 0; i < PUBLISHES; i += 1) {
    const fd = openSync(join(basedir, `raw-${i}.log`), 'w');
    writeSync(fd, body);
    fsyncSync(fd);
    closeSync(fd);
    insert.run(1, i, i, 'x86_64', 0);
  }
  const rawRate = PUBLISHES / ((performance.now() - started) / 1000);
  db.close();
  report({
    bench: BENCH,
    case: 'publish 10 KB logs (sequential)',
    value: httpRate,
    unit: 'logs/s',
    baseline: rawRate,
    ratio: ratio(httpRate, rawRate),
  });
}

function generated(bytes: number): Readable {
  const chunk = Buffer.alloc(1024 * 1024, 0x61);
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= bytes) return void this.push(null);
      const piece = chunk.subarray(0, Math.min(chunk.length, bytes - sent));
      sent += piece.length;
      this.push(piece);
    },
  });
}

async function largeContent(client: HotendClient, url: string, basedir: string): Promise<void> {
  const size = 1024 * 1024 * 1024;
  let started = performance.now();
  const { id } = await client.buildLogs.publish(
    { target: 1, startTime: 1, endTime: 2, arch: 'x86_64', exitCode: 0 },
    generated(size),
  );
  const uploadSeconds = (performance.now() - started) / 1000;
  report({ bench: BENCH, case: 'publish 1 GB log (chunked)', value: size / 1048576 / uploadSeconds, unit: 'MB/s' });

  global.gc?.();
  const rssBefore = process.memoryUsage().rss;
  let rssPeak = rssBefore;
  const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage().rss)), 20);
  started = performance.now();
  const response = await fetch(`${url}/api/v1/logs/${id}/content`, { headers: { 'x-api-key': KEY } });
  let received = 0;
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) received += chunk.length;
  const httpSeconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  if (received !== size) throw new Error(`downloaded ${received} of ${size} bytes`);

  started = performance.now();
  let read = 0;
  for await (const chunk of createReadStream(join(basedir, 'build-logs', `${id}.log`)) as AsyncIterable<Buffer>)
    read += chunk.length;
  const fileSeconds = (performance.now() - started) / 1000;

  const httpRate = size / 1048576 / httpSeconds;
  const fileRate = read / 1048576 / fileSeconds;
  report({
    bench: BENCH,
    case: 'download 1 GB log',
    value: httpRate,
    unit: 'MB/s',
    baseline: fileRate,
    ratio: ratio(httpRate, fileRate),
  });
  report({
    bench: BENCH,
    case: 'download 1 GB log: RSS growth (server + client)',
    value: (rssPeak - rssBefore) / 1048576,
    unit: 'MB',
    goal: '<= 50 MB',
  });
}

await main();
