/**
 * GET /api/printer while the printer is idle and while G-code streams to it at full rate, against a raw Fastify
 * route answering a same-sized JSON, all in one run with autocannon. The printer is the firmware simulator in a
 * child process on a real pseudo-terminal (so its work is not on the server's event loop), opened by the server
 * through `@serialport/bindings-cpp`. Goal: p99 while streaming <= 2x idle (serial work never blocks the loop).
 *
 * "Full rate": thousands of short lines stay queued on the comm layer for the whole measurement, so the host sends
 * the next line the moment the firmware acknowledges one, in ping-pong and in send-ahead mode (one server each).
 * Each mode reports the lines/s reached during the HTTP measurement next to the lines/s of the same link without
 * HTTP load (measured just before), so a stream that stalls under load shows up instead of passing unnoticed.
 *
 * On a shared machine one idle and one streaming measurement wander more than the goal's margin, so each mode runs
 * ROUNDS rounds of an idle measurement followed by a streaming one: the p99 rows are the medians of the rounds, the
 * ratio is the median of the rounds' own ratios (each streaming p99 against the idle p99 measured just before it),
 * and the spread column shows the lowest and highest of those ratios.
 *
 * Both `serial.commProcess` settings run: `server` (the protocol on the HTTP server's event loop, where a reply waits
 * for the next loop pass under load) and `child` (the protocol in the comm process); a last row per flow-control
 * mode compares their lines/s under HTTP load.
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
import { CommStreamer } from './comm-streamer.js';
import { median, ratio, report, spread } from './report.js';

const KEY = 'bench-key-0123456789abcdef';
const DURATION_S = Number(process.env['BENCH_DURATION'] ?? 3);
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 3);
/** Lines per `send` call; the streamer keeps QUEUED_CHUNKS of them queued at all times. */
const CHUNK = 25;
const QUEUED_CHUNKS = 80;
const SEND_AHEAD_LINES = 8;
const MODES = ['ping-pong', 'send-ahead'] as const;
type FlowControl = (typeof MODES)[number];
const COMM_PROCESSES = ['server', 'child'] as const;
type CommProcess = (typeof COMM_PROCESSES)[number];

interface Measurement {
  rps: number;
  p99: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Requests/s and p99 latency under 50 connections. The p99 comes from every response's own time: autocannon's
 * histogram keeps whole milliseconds, which at 2-4 ms turned a ratio of two p99s into steps of 0.5.
 */
async function measure(url: string, headers: Record<string, string>, onStart?: () => void): Promise<Measurement> {
  onStart?.();
  const times: number[] = [];
  const running = autocannon({ url, connections: 50, pipelining: 1, duration: DURATION_S, headers });
  running.on('response', (_client: unknown, _status: number, _bytes: number, milliseconds: number) => {
    times.push(milliseconds);
  });
  const result = await running;
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(`${url}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  }
  times.sort((a, b) => a - b);
  return { rps: result.requests.average, p99: times[Math.floor(times.length * 0.99)] ?? 0 };
}

async function startSimulator(scratch: string): Promise<{ devicePath: string; stop: () => void }> {
  // Moves take no simulated time, so the wire and the host's flow control are the limit.
  const simProfile = join(scratch, 'sim.json');
  writeFileSync(simProfile, JSON.stringify({ moveTimeFactor: 0 }));
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
  return { devicePath, stop: () => simulator.kill() };
}

/**
 * One server on its own simulator in one comm-process and flow-control mode: idle, unloaded stream, stream under HTTP load.
 * Returns the lines/s under HTTP load.
 */
async function runMode(commProcess: CommProcess, mode: FlowControl): Promise<number> {
  const scratch = mkdtempSync(join(tmpdir(), 'hotend-bench-printer-'));
  const simulator = await startSimulator(scratch);
  writeFileSync(
    join(scratch, 'config.yaml'),
    [
      'serial:',
      `  port: ${simulator.devicePath}`,
      '  baudrate: 115200',
      '  autoconnect: true',
      '  log: false',
      `  flowControl: ${mode}`,
      `  commProcess: ${commProcess}`,
      `  sendAheadLines: ${SEND_AHEAD_LINES}`,
      `  additionalPorts: [${simulator.devicePath}]`,
      'api:',
      '  keys:',
      '    - name: bench',
      `      key: ${KEY}`,
      '      permissions: [STATUS]',
      '',
    ].join('\n'),
  );
  const app = await createHotendApp(loadConfig(scratch), { logger: false, swaggerUi: false });
  let streamer: CommStreamer | undefined;
  try {
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.getHttpServer().address();
    if (address === null || typeof address !== 'object') throw new Error('no address');
    const comm = app.get<PrinterCommApi>(PRINTER_COMM);
    for (let waited = 0; !comm.status.flags.operational; waited += 100) {
      if (waited > 20_000) throw new Error(`printer not operational: ${comm.status.text}`);
      await sleep(100);
    }
    const url = `http://127.0.0.1:${address.port}/api/printer`;
    const headers = { 'x-api-key': KEY };
    await autocannon({ url, connections: 10, duration: 1, headers }); // warm-up
    const idleRounds: Measurement[] = [];
    const busyRounds: Measurement[] = [];
    const busyRates: number[] = [];
    const unloadedRates: number[] = [];
    let x = 0;
    for (let round = 0; round < ROUNDS; round += 1) {
      idleRounds.push(await measure(url, headers));
      streamer = new CommStreamer(comm, {
        lanes: QUEUED_CHUNKS,
        chunk: CHUNK,
        nextLine: () => `G1 X${(x = 1 - x)} F6000`,
      });
      await sleep(500);
      unloadedRates.push((await streamer.rateDuring(() => sleep(1500))).linesPerSecond);
      const busy = await streamer.rateDuring((start) => measure(url, headers, start));
      busyRounds.push(busy.result);
      busyRates.push(busy.linesPerSecond);
      await streamer.stop();
      streamer = undefined;
    }
    const idle = { rps: median(idleRounds.map((m) => m.rps)), p99: median(idleRounds.map((m) => m.p99)) };
    const busy = { rps: median(busyRounds.map((m) => m.rps)), p99: median(busyRounds.map((m) => m.p99)) };
    const p99Ratios = busyRounds.map((m, index) => ratio(m.p99, idleRounds[index]?.p99 ?? 0));
    const linesPerSecond = median(busyRates);
    console.error(
      `[${commProcess}, ${mode}] p99 idle ${idleRounds.map((m) => m.p99.toFixed(1)).join(' ')} ms, ` +
        `streaming ${busyRounds.map((m) => m.p99.toFixed(1)).join(' ')} ms; ` +
        `lines/s ${busyRates.map(Math.round).join(' ')} (no HTTP load ${unloadedRates.map(Math.round).join(' ')})`,
    );

    const row = { bench: 'printer-api' };
    report({
      ...row,
      case: `[${commProcess}, ${mode}] GET /api/printer req/s idle`,
      value: idle.rps,
      unit: 'req/s',
      baseline: baseline.rps,
      ratio: ratio(idle.rps, baseline.rps),
      goal: 'vs raw Fastify',
    });
    report({
      ...row,
      case: `[${commProcess}, ${mode}] GET /api/printer p99 idle`,
      value: idle.p99,
      unit: 'ms',
      baseline: baseline.p99,
      ratio: ratio(idle.p99, baseline.p99),
      goal: 'vs raw Fastify',
    });
    report({
      ...row,
      case: `[${commProcess}, ${mode}] GET /api/printer req/s while streaming`,
      value: busy.rps,
      unit: 'req/s',
      baseline: idle.rps,
      ratio: ratio(busy.rps, idle.rps),
      goal: 'vs idle',
    });
    report({
      ...row,
      case: `[${commProcess}, ${mode}] GET /api/printer p99 while streaming (median of ${ROUNDS} rounds)`,
      value: busy.p99,
      unit: 'ms',
      baseline: idle.p99,
      ratio: median(p99Ratios),
      goal: '<= 2 (vs idle)',
      spread: spread(p99Ratios),
    });
    report({
      ...row,
      case: `[${commProcess}, ${mode}] G-code lines/s during that measurement`,
      value: linesPerSecond,
      unit: 'lines/s',
      baseline: median(unloadedRates),
      ratio: ratio(linesPerSecond, median(unloadedRates)),
      goal: 'vs no HTTP load',
    });
    return linesPerSecond;
  } finally {
    await streamer?.stop().catch(() => undefined);
    await app.close();
    simulator.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
}

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

let baseline: Measurement;
try {
  const rawUrl = `http://127.0.0.1:${rawAddress.port}/api/printer`;
  await autocannon({ url: rawUrl, connections: 10, duration: 1 }); // warm-up
  baseline = await measure(rawUrl, {});
  for (const mode of MODES) {
    const underLoad = { server: 0, child: 0 };
    for (const commProcess of COMM_PROCESSES) underLoad[commProcess] = await runMode(commProcess, mode);
    report({
      bench: 'printer-api',
      case: `[child vs server, ${mode}] G-code lines/s under HTTP load`,
      value: underLoad.child,
      unit: 'lines/s',
      baseline: underLoad.server,
      ratio: ratio(underLoad.child, underLoad.server),
      goal: 'vs serial.commProcess: server',
    });
  }
} finally {
  await raw.close();
}
