// Host printing a 100,000-line file into the firmware simulator over a real pseudo-terminal, through the whole
// built server (upload, select with print, the engine in the comm process), against the tightest possible
// ping-pong loop written directly against the same kind of port (printcore's approach). Moves take no simulated
// time, so the wire and the host are the bottleneck. Also: GET /api/job latency while printing against idle.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPtySimulator } from '@hotend/firmware-sim';
import { HotendClient } from '@hotend/sdk';
import { stringify } from 'yaml';
import { createHotendApp } from '../apps/server/dist/app.factory.js';
import { loadConfig } from '../apps/server/dist/config/config.loader.js';
import { rawPingPong, STREAMING_SIM } from './raw-pty-loop.js';
import { ratio, report } from './report.js';

const LINES = Number(process.env['HOST_PRINT_BENCH_LINES'] ?? 100_000);
const commands = Array.from({ length: LINES }, (_, index) => `G1 X${index % 2} F6000`);
const KEY = 'bench-admin-key-0123456789';

const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? 0;
};

async function timedGet(url: string): Promise<{ ms: number; state: string }> {
  const started = performance.now();
  const response = await fetch(`${url}/api/job`, { headers: { 'x-api-key': KEY } });
  const body = (await response.json()) as { state: string };
  return { ms: performance.now() - started, state: body.state };
}

/** A host print through the built server; lines per second, and GET /api/job latencies idle and while printing. */
async function hostPrint(
  flowControl: 'ping-pong' | 'send-ahead',
): Promise<{ rate: number; idle: number[]; busy: number[] }> {
  const pty = await startPtySimulator(STREAMING_SIM);
  const basedir = mkdtempSync(join(tmpdir(), 'hotend-bench-print-'));
  writeFileSync(
    join(basedir, 'config.yaml'),
    stringify({
      api: { keys: [{ name: 'bench', key: KEY, permissions: ['ADMIN'] }] },
      serial: { port: pty.path, baudrate: 115200, autoconnect: true, log: false, flowControl, sendAheadLines: 8 },
    }),
  );
  const app = await createHotendApp(loadConfig(basedir), { logger: false, swaggerUi: false });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.getHttpServer().address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
  const client = new HotendClient({ baseUrl: url, apiKey: KEY });
  try {
    for (let tries = 0; (await client.job.get()).state !== 'Operational'; tries += 1) {
      if (tries > 200) throw new Error('printer did not come up');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await client.files.upload('local', new Blob([`${commands.join('\n')}\n`]), { filename: 'bench.gcode' });
    const idle: number[] = [];
    for (let index = 0; index < 300; index += 1) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      idle.push((await timedGet(url)).ms);
    }
    const executedBefore = pty.sim.executed.length;
    const started = performance.now();
    await client.files.select('local', 'bench.gcode', true);
    const busy: number[] = [];
    let seenPrinting = false;
    for (;;) {
      // A client polling every 20 ms (OctoPrint's UI polls far less), not a flood that would starve the simulator.
      await new Promise((resolve) => setTimeout(resolve, 20));
      const { ms, state } = await timedGet(url);
      if (state === 'Printing') {
        seenPrinting = true;
        busy.push(ms);
      } else if (seenPrinting && state === 'Operational') break;
    }
    const seconds = (performance.now() - started) / 1000;
    const executed = pty.sim.executed.slice(executedBefore).filter((entry) => entry.command.startsWith('G1 ')).length;
    if (executed !== LINES) throw new Error(`${flowControl}: ${executed} of ${LINES} lines executed`);
    return { rate: LINES / seconds, idle, busy };
  } finally {
    await app.close();
    await pty.close();
    rmSync(basedir, { recursive: true, force: true });
  }
}

await rawPingPong(commands.slice(0, 5_000)); // warm-up
const raw = await rawPingPong(commands);
const pingPong = await hostPrint('ping-pong');
const sendAhead = await hostPrint('send-ahead');
report({
  bench: 'host-print',
  case: 'ping-pong print vs raw ping-pong loop',
  value: pingPong.rate,
  unit: 'lines/s',
  baseline: raw,
  ratio: ratio(pingPong.rate, raw),
  goal: '>= 0.8',
});
report({
  bench: 'host-print',
  case: 'send-ahead print vs ping-pong print',
  value: sendAhead.rate,
  unit: 'lines/s',
  baseline: pingPong.rate,
  ratio: ratio(sendAhead.rate, pingPong.rate),
  goal: '>= 2',
});
const idleP99 = percentile([...pingPong.idle, ...sendAhead.idle], 99);
const busyP99 = percentile([...pingPong.busy, ...sendAhead.busy], 99);
report({
  bench: 'host-print',
  case: 'GET /api/job p99 printing vs idle',
  value: busyP99,
  unit: 'ms',
  baseline: idleP99,
  ratio: ratio(busyP99, idleP99),
  goal: '<= 2',
});
