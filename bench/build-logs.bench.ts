// Build logs: list latency over 1,000,000 rows, publish throughput, and a 1 GB content download.
// Figures with a goal are medians of interleaved rounds (the spread column shows their range).
// Each measurement has a baseline from the same run: the same SQL straight on the repository, a raw
// SQLite insert + file write, and a plain Node HTTP server streaming the same file. Only 127.0.0.1; temp files
// are removed at the end.
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
import { Agent, createServer, get } from 'node:http';
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
import { median, ratio, report, spread } from './report.js';

const BENCH = 'build-logs';
const ROWS = 1_000_000;
const QUERIES_PER_CASE = 300;
const LIST_ROUNDS = 3;
const listAgent = new Agent({ keepAlive: true, maxSockets: 1 });
const PUBLISHES = 300;
const PUBLISH_ROUNDS = 15;
const DOWNLOAD_ROUNDS = 3;
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

interface CaseRound {
  http: number[];
  direct: number[];
}

/**
 * GET a JSON answer over one kept-alive connection. node:http rather than fetch: undici keeps every Response
 * reachable through a WeakRef until a full GC, so in this process each scavenge promoted about 2 MB of client
 * objects (node:http: about 0.2 MB), and the pauses that caused landed in the p99 of the server under test.
 */
function getJson(url: string): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    get(url, { agent: listAgent, headers: { 'x-api-key': KEY } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        try {
          resolve({ status: response.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
        } catch (error) {
          reject(error instanceof Error ? error : new Error(String(error)));
        }
      });
      response.on('error', reject);
    }).on('error', reject);
  });
}

/** One round of one case: `count` queries, each straight on the repository and then over HTTP. */
async function measureCase(
  url: string,
  direct: SqliteBuildLogRepository,
  [name, make]: QueryCase,
  count: number,
): Promise<CaseRound> {
  // The same query sequence in every round, so rounds differ only in what the machine was doing.
  const random = lcg(name.length * 31 + 1);
  const round: CaseRound = { http: [], direct: [] };
  for (let i = 0; i < count; i += 1) {
    const params = make(random);
    let started = performance.now();
    const expected = await direct.list(toQuery(params));
    round.direct.push(performance.now() - started);
    started = performance.now();
    const response = await getJson(`${url}/api/v1/logs?${new URLSearchParams(params).toString()}`);
    round.http.push(performance.now() - started);
    const rows = (response.body as { data?: unknown[] }).data?.length;
    // Every case has more than a page of matches, so a short page means a wrong answer, not a fast one.
    if (response.status !== 200 || rows !== 25 || expected.length !== 25) {
      throw new Error(`list ${name} answered ${response.status} with ${rows} rows (direct ${expected.length})`);
    }
  }
  return round;
}

/**
 * p50 and p99 of every case over HTTP and straight on the repository. A warm-up pass over all cases first (JIT,
 * statement cache, page cache, the garbage of start-up), then LIST_ROUNDS rounds that each run every case, so a
 * burst of load on the machine hits one round of many cases rather than all of one; each figure is the median of
 * the rounds, with their spread.
 */
async function listLatency(url: string, direct: SqliteBuildLogRepository): Promise<void> {
  for (const queryCase of CASES) await measureCase(url, direct, queryCase, 30);
  const rounds = new Map<string, CaseRound[]>();
  for (let round = 0; round < LIST_ROUNDS; round += 1) {
    for (const queryCase of CASES) {
      const measured = await measureCase(url, direct, queryCase, QUERIES_PER_CASE);
      rounds.set(queryCase[0], [...(rounds.get(queryCase[0]) ?? []), measured]);
    }
  }
  listAgent.destroy();
  const percentileOf = (times: number[], p: number): number =>
    percentile(
      [...times].sort((a, b) => a - b),
      p,
    );
  for (const [name] of CASES) {
    const measured = rounds.get(name) ?? [];
    const p99s = measured.map((round) => percentileOf(round.http, 99));
    const p99 = median(p99s);
    const baseline99 = median(measured.map((round) => percentileOf(round.direct, 99)));
    report({
      bench: BENCH,
      case: `list ${name}: p50`,
      value: median(measured.map((round) => percentileOf(round.http, 50))),
      unit: 'ms',
      baseline: median(measured.map((round) => percentileOf(round.direct, 50))),
    });
    report({
      bench: BENCH,
      case: `list ${name}: p99 (median of ${LIST_ROUNDS})`,
      value: p99,
      unit: 'ms',
      baseline: baseline99,
      ratio: ratio(p99, baseline99),
      goal: 'p99 <= 10 ms',
      spread: spread(p99s),
    });
  }
}

/**
 * Sequential 10 KB publishes over HTTP against what publish does minus HTTP and validation (a durable file
 * write and a FULL-synchronous insert), in alternating rounds; medians of PUBLISH_ROUNDS.
 */
async function publishThroughput(client: HotendClient, basedir: string): Promise<void> {
  const body = Buffer.alloc(10 * 1024, 0x6c);
  const db = new Database(join(basedir, 'raw.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec(
    'CREATE TABLE logs (id INTEGER PRIMARY KEY AUTOINCREMENT, target_id INT, start_time INT, end_time INT, arch TEXT, exit_code INT)',
  );
  const insert = db.prepare(
    'INSERT INTO logs (target_id, start_time, end_time, arch, exit_code) VALUES (?, ?, ?, ?, ?)',
  );
  let published = 0;
  const viaHttp = async (): Promise<void> => {
    published += 1;
    await client.buildLogs.publish(
      { target: 1, startTime: lastStart + published, endTime: lastStart + published, arch: 'x86_64', exitCode: 0 },
      body,
    );
  };
  let written = 0;
  const raw = async (): Promise<void> => {
    written += 1;
    const fd = openSync(join(basedir, `raw-${written}.log`), 'w');
    writeSync(fd, body);
    fsyncSync(fd);
    closeSync(fd);
    insert.run(1, written, written, 'x86_64', 0);
  };
  const rate = async (publish: () => Promise<void>, count: number): Promise<number> => {
    const started = performance.now();
    for (let i = 0; i < count; i += 1) await publish();
    return count / ((performance.now() - started) / 1000);
  };
  await rate(viaHttp, 20);
  await rate(raw, 20);
  const httpRates: number[] = [];
  const rawRates: number[] = [];
  // Many short rounds, each side first in every other one: both fsync-bound loops share a disk with whatever
  // else the machine does, and a burst of I/O that hits a long round of one side moves the ratio far more.
  for (let round = 0; round < PUBLISH_ROUNDS; round += 1) {
    const count = PUBLISHES / PUBLISH_ROUNDS;
    if (round % 2 === 0) {
      httpRates.push(await rate(viaHttp, count));
      rawRates.push(await rate(raw, count));
    } else {
      rawRates.push(await rate(raw, count));
      httpRates.push(await rate(viaHttp, count));
    }
  }
  db.close();
  const ratios = httpRates.map((value, index) => ratio(value, rawRates[index] ?? 0));
  report({
    bench: BENCH,
    case: `publish 10 KB logs (sequential, median of ${PUBLISH_ROUNDS})`,
    value: median(httpRates),
    unit: 'logs/s',
    baseline: median(rawRates),
    ratio: median(ratios),
    goal: '>= 0.5',
    spread: spread(ratios),
  });
}

/** Downloads a URL with node:http, discarding the bytes; MB/s. */
function download(url: string, headers: Record<string, string>, size: number): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    get(url, { headers }, (response) => {
      let received = 0;
      response.on('data', (chunk: Buffer) => (received += chunk.length));
      response.on('end', () => {
        if (response.statusCode !== 200 || received !== size) {
          reject(new Error(`${url}: ${response.statusCode}, ${received} of ${size} bytes`));
        } else resolve(size / 1048576 / ((performance.now() - started) / 1000));
      });
      response.on('error', reject);
    }).on('error', reject);
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
  const started = performance.now();
  const { id } = await client.buildLogs.publish(
    { target: 1, startTime: 1, endTime: 2, arch: 'x86_64', exitCode: 0 },
    generated(size),
  );
  const uploadSeconds = (performance.now() - started) / 1000;
  report({ bench: BENCH, case: 'publish 1 GB log (chunked)', value: size / 1048576 / uploadSeconds, unit: 'MB/s' });

  const path = join(basedir, 'build-logs', `${id}.log`);
  // The baseline is the least any HTTP server does for this file: a plain Node server piping it, fetched by the
  // same client (as in log-download.bench.ts); a plain read of the file without HTTP is shown for scale.
  const raw = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'content-length': String(size) });
    createReadStream(path).pipe(response);
  });
  await new Promise<void>((resolve) => raw.listen(0, '127.0.0.1', resolve));
  const rawAddress = raw.address();
  const rawUrl = `http://127.0.0.1:${typeof rawAddress === 'object' && rawAddress !== null ? rawAddress.port : 0}/`;
  const hotendUrl = `${url}/api/v1/logs/${id}/content`;
  const fromFile = async (): Promise<number> => {
    const started = performance.now();
    let read = 0;
    for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) read += chunk.length;
    return read / 1048576 / ((performance.now() - started) / 1000);
  };

  try {
    // Everything reads the same file from the page cache: one unmeasured read of each first, then alternating rounds.
    await fromFile();
    await download(rawUrl, {}, size);
    global.gc?.();
    const rssBefore = process.memoryUsage().rss;
    let rssPeak = rssBefore;
    const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage().rss)), 20);
    await download(hotendUrl, { 'x-api-key': KEY }, size);
    clearInterval(sampler);
    const hotendRates: number[] = [];
    const rawRates: number[] = [];
    const fileRates: number[] = [];
    for (let round = 0; round < DOWNLOAD_ROUNDS; round += 1) {
      hotendRates.push(await download(hotendUrl, { 'x-api-key': KEY }, size));
      rawRates.push(await download(rawUrl, {}, size));
      fileRates.push(await fromFile());
    }
    const ratios = hotendRates.map((value, index) => ratio(value, rawRates[index] ?? 0));
    report({
      bench: BENCH,
      case: `download 1 GB log vs raw HTTP server (median of ${DOWNLOAD_ROUNDS})`,
      value: median(hotendRates),
      unit: 'MB/s',
      baseline: median(rawRates),
      ratio: median(ratios),
      goal: '>= 0.8',
      spread: spread(ratios),
    });
    report({
      bench: BENCH,
      case: `download 1 GB log vs plain file read, no HTTP (median of ${DOWNLOAD_ROUNDS})`,
      value: median(hotendRates),
      unit: 'MB/s',
      baseline: median(fileRates),
      ratio: ratio(median(hotendRates), median(fileRates)),
    });
    report({
      bench: BENCH,
      case: 'download 1 GB log: RSS growth (server + client)',
      value: (rssPeak - rssBefore) / 1048576,
      unit: 'MB',
      goal: '<= 50 MB',
    });
  } finally {
    await new Promise<void>((resolve) => raw.close(() => resolve()));
  }
}

await main();
