/**
 * Start and memory, as a user meets them: exec of the built server (`node apps/server/dist/main.js`, default config,
 * the simulated printer connected through the serial worker) until the first 200, and the idle RSS of every Hotend
 * process, against a bare Fastify app started the same way in the same run (rounds alternate).
 * Goals: start <= 1.5x bare Fastify; main process <= 80 MB; all Hotend processes <= 130 MB.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ratio, report } from './report.js';

const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 5);
const IDLE_S = Number(process.env['BENCH_IDLE_S'] ?? 20);
const PORT = 5600 + (process.pid % 300);

const BARE_FASTIFY = `
import Fastify from 'fastify';
const app = Fastify();
app.get('/api/currentuser', async () => ({ name: null, permissions: [], groups: ['guests'] }));
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
`;

interface Started {
  child: ChildProcess;
  ms: number;
}

async function startUntil200(command: string[], port: number): Promise<Started> {
  const started = performance.now();
  const child = spawn(process.execPath, command, { stdio: 'ignore', env: { ...process.env, PORT: String(port) } });
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${command.join(' ')} exited with ${child.exitCode}`);
    try {
      const response = await fetch(`http://127.0.0.1:${port}/api/currentuser`);
      await response.arrayBuffer();
      if (response.status === 200) return { child, ms: performance.now() - started };
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

function rssMb(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match?.[1] ?? 0) / 1024;
}

/** The process and all its descendants, from /proc. */
function processTree(pid: number): number[] {
  const children = readdirSync(`/proc/${pid}/task`).flatMap((task) =>
    readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter((text) => text !== '')
      .map(Number),
  );
  return [pid, ...children.flatMap(processTree)];
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
};

const bareTimes: number[] = [];
const hotendTimes: number[] = [];
const basedirs: string[] = [];
for (let round = 0; round < ROUNDS; round += 1) {
  const bare = await startUntil200(['--input-type=module', '-e', BARE_FASTIFY], PORT);
  bareTimes.push(bare.ms);
  await stop(bare.child);
  const basedir = mkdtempSync(join(tmpdir(), 'hotend-bench-start-'));
  basedirs.push(basedir);
  const hotend = await startUntil200(
    ['apps/server/dist/main.js', '--basedir', basedir, '--port', String(PORT + 1), '--host', '127.0.0.1'],
    PORT + 1,
  );
  hotendTimes.push(hotend.ms);
  await stop(hotend.child);
}

report({
  bench: 'startup',
  case: 'exec to first 200 (median)',
  value: median(hotendTimes),
  unit: 'ms',
  baseline: median(bareTimes),
  ratio: ratio(median(hotendTimes), median(bareTimes)),
  goal: '<= 1.5',
});

// Idle memory: both started once more and left alone, then measured at the same moment.
const bare = await startUntil200(['--input-type=module', '-e', BARE_FASTIFY], PORT);
const hotend = await startUntil200(
  ['apps/server/dist/main.js', '--basedir', basedirs[0] ?? '', '--port', String(PORT + 1), '--host', '127.0.0.1'],
  PORT + 1,
);
try {
  await new Promise((resolve) => setTimeout(resolve, IDLE_S * 1000));
  const bareRss = rssMb(bare.child.pid ?? 0);
  const [main = 0, ...others] = processTree(hotend.child.pid ?? 0);
  const mainRss = rssMb(main);
  const othersRss = others.map(rssMb);
  const total = mainRss + othersRss.reduce((sum, value) => sum + value, 0);
  const row = { bench: 'startup', unit: 'MB', baseline: bareRss };
  report({
    ...row,
    case: `idle RSS after ${IDLE_S} s: main process`,
    value: mainRss,
    ratio: ratio(mainRss, bareRss),
    goal: '<= 80 MB',
  });
  othersRss.forEach((value, index) =>
    report({
      ...row,
      case: `idle RSS: child process ${index + 1} (serial worker)`,
      value,
      ratio: ratio(value, bareRss),
    }),
  );
  report({
    ...row,
    case: 'idle RSS: all Hotend processes',
    value: total,
    ratio: ratio(total, bareRss),
    goal: '<= 130 MB',
  });
} finally {
  await stop(bare.child);
  await stop(hotend.child);
  for (const basedir of basedirs) rmSync(basedir, { recursive: true, force: true });
}
