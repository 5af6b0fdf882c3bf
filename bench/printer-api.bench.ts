/**
 * GET /api/printer while the printer is idle and while G-code streams to it at full rate, against a raw Fastify
 * route answering a same-sized JSON, all in one run with autocannon. The printer is the firmware simulator in a
 * child process on a real pseudo-terminal (so its work is not on the server's event loop), opened by the server
 * through `@serialport/bindings-cpp`. Goal: p99 while streaming <= 2x idle (serial work never blocks the loop).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
import Fastify from 'fastify';
import { createHotendApp } from '../apps/server/dist/app.factory.js';
import { PRINTER_COMM, type PrinterCommApi } from '../apps/server/dist/comm/printer-comm.types.js';
import { loadConfig } from '../apps/server/dist/config/config.loader.js';
import { ratio, report } from './report.js';

const KEY = 'bench-key-0123456789abcdef';
const DURATION_S = Number(process.env['BENCH_DURATION'] ?? 5);
const BATCH = 50;

interface Measurement {
  rps: number;
  p99: number;
}

async function measure(url: string, headers: Record<string, string>): Promise<Measurement> {
  await autocannon({ url, connections: 10, duration: 1, headers }); // warm-up
  const result = await autocannon({ url, connections: 50, pipelining: 1, duration: DURATION_S, headers });
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(`${url}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  }
  return { rps: result.requests.average, p99: result.latency.p99 };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// The simulator, in its own process: moves take (almost) no simulated time, so the host's flow control is the limit.
const scratch = mkdtempSync(join(tmpdir(), 'hotend-bench-printer-'));
const simProfile = join(scratch, 'sim.json');
writeFileSync(simProfile, JSON.stringify({ moveTimeFactor: 0.0001 }));
const simulator = spawn(
  process.execPath,
  ['packages/firmware-sim/dist/cli.js', '--pty', '--no-reset', '--profile', simProfile],
  { stdio: ['ignore', 'pipe', 'inherit'] },
);
const devicePath = await new Promise<string>((resolve, reject) => {
  simulator.once('error', reject);
  simulator.once('exit', (code) => reject(new Error(`firmware-sim exited with ${code}`)));
  createInterface({ input: simulator.stdout }).once('line', (line) => resolve(line.trim()));
});

const raw = Fastify();
const sample = {
  temperature: { tool0: { actual: 21.3, target: 0, offset: 0 }, bed: { actual: 21.3, target: 0, offset: 0 } },
  sd: { ready: true },
  state: { text: 'Operational', error: '', flags: { operational: true, printing: false, ready: true } },
};
raw.get('/api/printer', async () => sample);
await raw.listen({ port: 0, host: '127.0.0.1' });
const rawAddress = raw.server.address();
if (rawAddress === null || typeof rawAddress !== 'object') throw new Error('no address');

writeFileSync(
  join(scratch, 'config.yaml'),
  [
    'serial:',
    `  port: ${devicePath}`,
    '  baudrate: 115200',
    '  autoconnect: true',
    '  log: false',
    `  additionalPorts: [${devicePath}]`,
    'api:',
    '  keys:',
    '    - name: bench',
    `      key: ${KEY}`,
    '      permissions: [STATUS]',
    '',
  ].join('\n'),
);
const app = await createHotendApp(loadConfig(scratch), { logger: false, swaggerUi: false });
await app.listen({ port: 0, host: '127.0.0.1' });
const hotendAddress = app.getHttpServer().address();
if (hotendAddress === null || typeof hotendAddress !== 'object') throw new Error('no address');
const comm = app.get<PrinterCommApi>(PRINTER_COMM);

let streaming = false;
let linesSent = 0;
let streamError: unknown;
async function stream(): Promise<void> {
  let x = 0;
  while (streaming) {
    const lines = Array.from({ length: BATCH }, () => `G1 X${(x = (x + 1) % 100)} F6000`);
    await comm.send(lines);
    linesSent += BATCH;
  }
}

try {
  for (let waited = 0; !comm.status.flags.operational; waited += 100) {
    if (waited > 20_000) throw new Error(`printer not operational: ${comm.status.text}`);
    await sleep(100);
  }
  const url = `http://127.0.0.1:${hotendAddress.port}/api/printer`;
  const headers = { 'x-api-key': KEY };
  const baseline = await measure(`http://127.0.0.1:${rawAddress.port}/api/printer`, {});
  const idle = await measure(url, headers);

  streaming = true;
  const streamer = stream().catch((error: unknown) => {
    streamError = error;
  });
  await sleep(500);
  const linesBefore = linesSent;
  const started = performance.now();
  const busy = await measure(url, headers);
  const linesPerSecond = ((linesSent - linesBefore) * 1000) / (performance.now() - started);
  streaming = false;
  await streamer;
  if (streamError !== undefined) throw streamError;

  const row = { bench: 'printer-api' };
  report({
    ...row,
    case: 'GET /api/printer req/s idle',
    value: idle.rps,
    unit: 'req/s',
    baseline: baseline.rps,
    ratio: ratio(idle.rps, baseline.rps),
    goal: 'vs raw Fastify',
  });
  report({
    ...row,
    case: 'GET /api/printer p99 idle',
    value: idle.p99,
    unit: 'ms',
    baseline: baseline.p99,
    ratio: ratio(idle.p99, baseline.p99),
    goal: 'vs raw Fastify',
  });
  report({
    ...row,
    case: 'GET /api/printer req/s while streaming',
    value: busy.rps,
    unit: 'req/s',
    baseline: idle.rps,
    ratio: ratio(busy.rps, idle.rps),
    goal: 'vs idle',
  });
  report({
    ...row,
    case: 'GET /api/printer p99 while streaming',
    value: busy.p99,
    unit: 'ms',
    baseline: idle.p99,
    ratio: ratio(busy.p99, idle.p99),
    goal: '<= 2 (vs idle)',
  });
  report({ ...row, case: 'G-code streamed during the measurement', value: linesPerSecond, unit: 'lines/s' });
} finally {
  streaming = false;
  await app.close();
  await raw.close();
  simulator.kill();
  rmSync(scratch, { recursive: true, force: true });
}
