// Uploading a 1 GB G-code file: Hotend's POST /api/files/local (streamed to a temp file, hashed, renamed, then
// analysed in a worker thread) against a bare Fastify route that pipes the multipart file part to disk. Reports
// throughput, the server's RSS growth during the upload, and the time and RSS growth of the analysis.
import { spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import multipart from '@fastify/multipart';
import Fastify from 'fastify';
import { stringify } from 'yaml';
import { createHotendApp } from '../apps/server/dist/app.factory.js';
import { loadConfig } from '../apps/server/dist/config/config.loader.js';
import { FileLibrary } from '../apps/server/dist/files/file-library.js';
import { ratio, report } from './report.js';

const BYTES = Number(process.env['UPLOAD_BENCH_BYTES'] ?? 1024 ** 3);
const KEY = 'bench-admin-key-0123456789';
const work = mkdtempSync(join(tmpdir(), 'hotend-bench-upload-'));

/** A G-code file of about BYTES: layers of extruding moves, so the analysis has real work. */
async function writeSource(): Promise<string> {
  const file = join(work, 'source.gcode');
  const out = createWriteStream(file);
  const layer = Array.from(
    { length: 1000 },
    (_, index) => `G1 X${(index % 200) + 10}.5 Y${(index % 150) + 10}.25 E${index}.0125`,
  ).join('\n');
  let written = 0;
  let z = 0;
  while (written < BYTES) {
    z += 0.2;
    const chunk = `G92 E0\nG1 Z${z.toFixed(2)} F600\n${layer}\n`;
    written += chunk.length;
    if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  await new Promise<void>((resolve) => out.end(resolve));
  return file;
}

/**
 * The client: a child process that posts the file as one multipart `file` part with Content-Length, streamed from
 * disk, and prints the seconds it took. A process of its own, so the RSS measured here is the server's alone.
 */
const CLIENT = `
const { createReadStream, statSync } = require('node:fs');
const { request } = require('node:http');
const [url, file, key] = process.argv.slice(1);
const boundary = '----hotendbench';
const head = Buffer.from('--' + boundary + '\\r\\nContent-Disposition: form-data; name="file"; filename="big.gcode"\\r\\nContent-Type: application/octet-stream\\r\\n\\r\\n');
const tail = Buffer.from('\\r\\n--' + boundary + '--\\r\\n');
const target = new URL(url);
const started = performance.now();
const call = request({ host: target.hostname, port: target.port, path: target.pathname, method: 'POST', headers: {
  'x-api-key': key, 'content-type': 'multipart/form-data; boundary=' + boundary,
  'content-length': String(head.length + statSync(file).size + tail.length) } }, (response) => {
  let body = '';
  response.on('data', (chunk) => (body += chunk));
  response.on('end', () => {
    if (response.statusCode >= 300) { console.error(response.statusCode + ': ' + body); process.exit(1); }
    console.log((performance.now() - started) / 1000);
  });
});
call.write(head);
const source = createReadStream(file, { highWaterMark: 1 << 20 });
source.pipe(call, { end: false });
source.on('end', () => call.end(tail));
`;

async function post(url: string, file: string, key = ''): Promise<number> {
  const child = spawn(process.execPath, ['-e', CLIENT, url, file, key], { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  if (code !== 0) throw new Error(`upload client exited with ${code}`);
  return Number(output.trim());
}

/** The baseline: the least a Fastify server can do with a multipart upload. */
async function bareFastify(file: string): Promise<number> {
  const app = Fastify({ bodyLimit: 1024 });
  await app.register(multipart, { limits: { fileSize: 4 * 1024 ** 3 } });
  app.post('/upload', async (req) => {
    for await (const part of req.parts()) {
      if (part.type === 'file') await pipeline(part.file, createWriteStream(join(work, 'bare.gcode')));
    }
    return { ok: true };
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  const seconds = await post(`http://127.0.0.1:${port}/upload`, file);
  await app.close();
  rmSync(join(work, 'bare.gcode'), { force: true });
  return seconds;
}

/** Peak RSS growth while `action` runs, sampled every 20 ms. */
async function rssGrowth<T>(action: () => Promise<T>): Promise<{ result: T; growth: number }> {
  const before = process.memoryUsage().rss;
  let peak = before;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  try {
    const result = await action();
    peak = Math.max(peak, process.memoryUsage().rss);
    return { result, growth: peak - before };
  } finally {
    clearInterval(timer);
  }
}

const source = await writeSource();
const size = statSync(source).size;
const basedir = join(work, 'hotend');
const app = await (async () => {
  const { mkdirSync } = await import('node:fs');
  mkdirSync(basedir);
  writeFileSync(
    join(basedir, 'config.yaml'),
    stringify({
      api: { keys: [{ name: 'bench', key: KEY, permissions: ['ADMIN'] }] },
      serial: { autoconnect: false },
      files: { maxUploadBytes: 4 * 1024 ** 3 },
    }),
  );
  const created = await createHotendApp(loadConfig(basedir), { logger: false, swaggerUi: false });
  await created.listen({ port: 0, host: '127.0.0.1' });
  return created;
})();
const address = app.getHttpServer().address();
const url = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}/api/files/local`;

try {
  await bareFastify(source); // warm-up: page cache and JIT
  const { result: bare, growth: bareGrowth } = await rssGrowth(() => bareFastify(source));
  const library = app.get(FileLibrary);
  // Analysis starts right after the upload answers; measured on its own below, so it is held back here.
  const { result: hotend, growth } = await rssGrowth(() => post(url, source, KEY));
  report({
    bench: 'upload',
    case: `${(size / 1024 ** 3).toFixed(2)} GB upload vs bare Fastify multipart`,
    value: size / 1024 ** 2 / hotend,
    unit: 'MB/s',
    baseline: size / 1024 ** 2 / bare,
    ratio: ratio(bare, hotend),
    goal: '>= 0.5',
  });
  report({
    bench: 'upload',
    case: 'server RSS growth during the upload (baseline: bare Fastify)',
    value: growth / 1024 ** 2,
    unit: 'MB',
    baseline: bareGrowth / 1024 ** 2,
    goal: '<= 50',
  });
  const analysed = await rssGrowth(async () => {
    const started = performance.now();
    library.queueAnalysis('big.gcode');
    await library.analysis.whenIdle();
    return (performance.now() - started) / 1000;
  });
  const analysis = library.metadata.get('big.gcode')?.analysis;
  if (analysis?.filament['tool0'] === undefined) throw new Error('the analysis produced no result');
  report({ bench: 'upload', case: 'analysis of the same file', value: analysed.result, unit: 's' });
  report({
    bench: 'upload',
    case: 'RSS growth during the analysis',
    value: analysed.growth / 1024 ** 2,
    unit: 'MB',
    goal: 'bounded',
  });
} finally {
  await app.close();
  rmSync(work, { recursive: true, force: true });
}
