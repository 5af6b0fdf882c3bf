/**
 * The push socket under load: G-code streams at full rate to the firmware simulator on a real pseudo-terminal
 * while 200 raw push sockets (in a separate process) receive every terminal line. Compared in alternating rounds
 * with the same stream and no socket open. Reports lines/s with 200 subscribers vs none (goal >= 0.9), the p99
 * delay from the simulator writing a reply line to the serial port until it reaches a subscriber (goal <= 250 ms),
 * and the server process's RSS growth over the subscribed rounds.
 *
 * Every MARK_EVERY-th command is `M118 mark-<n>`, which the simulator echoes as a line `mark-<n>`: its write time
 * (simulator process) and its arrival at each socket (fleet process, same clock) give the delay. The simulator and
 * the sockets run in their own processes, so the server process holds only Hotend's own work.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { createHotendApp } from '../apps/server/dist/app.factory.js';
import { PRINTER_COMM, type PrinterCommApi } from '../apps/server/dist/comm/printer-comm.types.js';
import { loadConfig } from '../apps/server/dist/config/config.loader.js';
import { ratio, report } from './report.js';

const KEY = 'bench-key-0123456789abcdef';
const SUBSCRIBERS = 200;
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 3);
const ROUND_MS = Number(process.env['BENCH_DURATION'] ?? 3) * 1000;
const MARK_EVERY = 50;
/** The API's command queue holds 1000 lines; the streamer keeps LANES chunks of CHUNK queued. */
const CHUNK = 20;
const LANES = 20;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

const scratch = mkdtempSync(join(tmpdir(), 'hotend-bench-push-'));
const markWrittenAt = new Map<number, number>();
const simulator = spawn(process.execPath, ['--import', 'tsx', 'bench/push-sim-child.ts'], {
  stdio: ['ignore', 'pipe', 'inherit'],
});
const simLines = createInterface({ input: simulator.stdout });
const ptyPath = await new Promise<string>((resolve) => simLines.once('line', resolve));
simLines.on('line', (line) => {
  const [tag, mark, at] = line.split(' ');
  if (tag === 'MARK') markWrittenAt.set(Number(mark), Number(at));
});
const pty = { path: ptyPath };
writeFileSync(
  join(scratch, 'config.yaml'),
  [
    'serial:',
    `  port: ${pty.path}`,
    '  baudrate: 115200',
    '  autoconnect: true',
    '  log: false',
    `  additionalPorts: [${pty.path}]`,
    'api:',
    '  keys:',
    '    - name: bench',
    `      key: ${KEY}`,
    '      permissions: [ADMIN]',
    '',
  ].join('\n'),
);
const app = await createHotendApp(loadConfig(scratch), { logger: false, swaggerUi: false });
await app.listen({ port: 0, host: '127.0.0.1' });
const address = app.getHttpServer().address();
if (address === null || typeof address !== 'object') throw new Error('no address');
const url = `http://127.0.0.1:${address.port}`;
const comm = app.get<PrinterCommApi>(PRINTER_COMM);
for (let waited = 0; !comm.status.flags.operational; waited += 100) {
  if (waited > 20_000) throw new Error(`printer not operational: ${comm.status.text}`);
  await sleep(100);
}

/** Keeps LANES chunks queued on the comm layer; counts acknowledged lines. */
class Streamer {
  acknowledged = 0;
  private running = true;
  private failure: unknown;
  private readonly done: Promise<void>;
  private mark = 0;
  private x = 0;

  constructor() {
    this.done = Promise.all(Array.from({ length: LANES }, () => this.lane())).then(() => undefined);
  }

  private async lane(): Promise<void> {
    try {
      while (this.running) {
        const lines = Array.from({ length: CHUNK }, () => {
          this.x += 1;
          return this.x % MARK_EVERY === 0 ? `M118 mark-${(this.mark += 1)}` : `G1 X${this.x % 2} F6000`;
        });
        await comm.send(lines);
        this.acknowledged += CHUNK;
      }
    } catch (error) {
      this.failure ??= error;
      this.running = false;
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.done;
    if (this.failure !== undefined) throw this.failure;
  }

  async rate(ms: number): Promise<number> {
    const before = this.acknowledged;
    const started = performance.now();
    await sleep(ms);
    return ((this.acknowledged - before) * 1000) / (performance.now() - started);
  }
}

interface Fleet {
  stop(): Promise<Record<string, number[]>>;
}

async function startFleet(): Promise<Fleet> {
  const login = (await (
    await fetch(`${url}/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': KEY },
      body: '{"passive":true}',
    })
  ).json()) as { name: string; session: string };
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'bench/push-subscriber-fleet.ts', url, login.name, login.session, String(SUBSCRIBERS)],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const lines = createInterface({ input: child.stdout });
  const nextLine = () => new Promise<string>((resolve) => lines.once('line', resolve));
  const ready = await nextLine();
  if (ready !== 'READY') throw new Error(`fleet: ${ready}`);
  return {
    stop: async () => {
      const result = nextLine();
      child.stdin.write('stop\n');
      const arrivals = JSON.parse(await result) as Record<string, number[]>;
      await new Promise((resolve) => child.once('exit', resolve));
      return arrivals;
    },
  };
}

const streamer = new Streamer();
await sleep(1000); // warm-up
const none: number[] = [];
const subscribed: number[] = [];
const delays: number[] = [];
let lostDeliveries = 0;
const rssBefore = process.memoryUsage().rss;
let rssPeak = rssBefore;
try {
  for (let round = 0; round < ROUNDS; round += 1) {
    none.push(await streamer.rate(ROUND_MS));
    const fleet = await startFleet();
    await sleep(300);
    const firstMark = markWrittenAt.size;
    subscribed.push(await streamer.rate(ROUND_MS));
    rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
    const lastMark = markWrittenAt.size;
    await sleep(1500); // the last marks reach the sockets
    const arrivals = await fleet.stop();
    for (const [mark, writtenAt] of markWrittenAt) {
      if (mark <= firstMark || mark > lastMark) continue;
      const times = arrivals[String(mark)] ?? [];
      lostDeliveries += SUBSCRIBERS - times.length;
      for (const at of times) delays.push(at - writtenAt);
    }
    await sleep(500);
  }
} finally {
  await streamer.stop();
}
const rssAfter = process.memoryUsage().rss;
await app.close();
simulator.kill();
rmSync(scratch, { recursive: true, force: true });

delays.sort((a, b) => a - b);
const p99 = delays[Math.floor(delays.length * 0.99)] ?? Number.NaN;
const p50 = delays[Math.floor(delays.length * 0.5)] ?? Number.NaN;
console.error(
  `lines/s none ${none.map(Math.round).join(' ')}; ${SUBSCRIBERS} sockets ${subscribed.map(Math.round).join(' ')}; ` +
    `${delays.length} deliveries measured, ${lostDeliveries} missing; delay p50 ${p50.toFixed(1)} ms`,
);
if (lostDeliveries > 0) throw new Error(`${lostDeliveries} mark deliveries never arrived`);
report({
  bench: 'push-subscribers',
  case: `lines/s with ${SUBSCRIBERS} push sockets vs none (median of ${ROUNDS})`,
  value: median(subscribed),
  unit: 'lines/s',
  baseline: median(none),
  ratio: ratio(median(subscribed), median(none)),
  goal: '>= 0.9',
});
report({
  bench: 'push-subscribers',
  case: `p99 delay serial line -> ${SUBSCRIBERS} sockets`,
  value: p99,
  unit: 'ms',
  goal: '<= 250',
});
report({
  bench: 'push-subscribers',
  case: `server RSS growth over the subscribed rounds (peak ${(rssPeak / 2 ** 20).toFixed(0)} MiB)`,
  value: (rssAfter - rssBefore) / 2 ** 20,
  unit: 'MiB',
  baseline: rssBefore / 2 ** 20,
  goal: 'bounded',
});
