// Lines per second the firmware simulator acknowledges over a real pty with a ping-pong host (send a line, wait for
// `ok`), against a raw echo loop on a pty in the same run (the limit of the pty and the host loop).
// Run after `npm run build -w @hotend/firmware-sim`: node --import tsx bench/firmware-sim-pty.bench.ts
import { closeSync, constants, openSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import tty from 'node:tty';
import { autoDetect } from '@serialport/bindings-cpp';
import { startPtySimulator } from '../packages/firmware-sim/dist/index.js';
import { median, ratio, report, spread } from './report.js';

const DURATION_MS = Number(process.env.BENCH_MS ?? 1000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 9);
const require = createRequire(new URL('../packages/firmware-sim/package.json', import.meta.url));

interface PortLike {
  write(buffer: Buffer): Promise<void>;
  read(buffer: Buffer, offset: number, length: number): Promise<{ bytesRead: number }>;
  close(): Promise<void>;
}

/** Ping-pong for DURATION_MS: write a line, read until a line starting with `ok` (or the echo) arrives. */
async function pingPong(port: PortLike, line: (i: number) => string, isAck: (l: string) => boolean): Promise<number> {
  const buf = Buffer.alloc(4096);
  let pending = '';
  let count = 0;
  const start = performance.now();
  while (performance.now() - start < DURATION_MS) {
    await port.write(Buffer.from(line(count)));
    for (;;) {
      const nl = pending.indexOf('\n');
      if (nl >= 0) {
        const got = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        if (isAck(got)) break;
        continue;
      }
      const { bytesRead } = await port.read(buf, 0, buf.length);
      pending += buf.subarray(0, bytesRead).toString('latin1');
    }
    count++;
  }
  return count / ((performance.now() - start) / 1000);
}

/** A pty whose master echoes every byte back unchanged: the baseline. */
function startEchoPty(): { path: string; close(): void } {
  const native = (
    require('node-pty') as { native: { open(c: number, r: number): { master: number; slave: number; pty: string } } }
  ).native;
  const term = native.open(80, 24);
  const slave = new tty.ReadStream(term.slave);
  slave.setRawMode(true);
  const hold = openSync(term.pty, constants.O_RDWR | constants.O_NOCTTY);
  slave.destroy();
  const master = new tty.ReadStream(term.master);
  master.on('data', (data: Buffer) => {
    let rest = data;
    while (rest.length > 0) {
      try {
        rest = rest.subarray(writeSync(term.master, rest));
      } catch (error) {
        process.stderr.write(`echo write failed: ${String(error)}\n`);
        break;
      }
    }
  });
  master.on('error', () => undefined);
  return {
    path: term.pty,
    close() {
      master.destroy();
      closeSync(hold);
    },
  };
}

async function main(): Promise<void> {
  const Binding = autoDetect();
  // Short fast moves: the planner never fills, so this measures the simulator, not the motion model.
  const line = (i: number): string => `G1 X${i % 2 ? 1 : 1.1} F600000\n`;

  const echo = startEchoPty();
  const echoPort = (await Binding.open({ path: echo.path, baudRate: 115200 })) as unknown as PortLike;
  const sim = await startPtySimulator({ resetOnOpen: false });
  const simPort = (await Binding.open({ path: sim.path, baudRate: 115200 })) as unknown as PortLike;

  const echo1 = (): Promise<number> => pingPong(echoPort, line, (l) => l.startsWith('G1'));
  const sim1 = (): Promise<number> => pingPong(simPort, line, (l) => l.startsWith('ok'));
  // Warm-up (JIT, page cache), not counted.
  await echo1();
  await sim1();
  // Short rounds in pairs, so both sides of a pair see the same machine state; which side goes first alternates.
  // The ratio is the median of the pairs' ratios.
  const echoRates: number[] = [];
  const simRates: number[] = [];
  const ratios: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    let echoRate: number;
    let simRate: number;
    if (round % 2 === 0) {
      echoRate = await echo1();
      simRate = await sim1();
    } else {
      simRate = await sim1();
      echoRate = await echo1();
    }
    echoRates.push(echoRate);
    simRates.push(simRate);
    ratios.push(ratio(simRate, echoRate));
  }
  const baseline = median(echoRates);
  const value = median(simRates);
  const executed = sim.sim.executed.length;
  await echoPort.close();
  echo.close();
  await simPort.close();
  await sim.close();
  process.stderr.write(
    `pty echo ${baseline.toFixed(0)} lines/s, simulator ${value.toFixed(0)} lines/s (${executed} executed, ${ROUNDS} rounds, ratios ${ratios.map((r) => r.toFixed(2)).join(' ')})\n`,
  );

  report({
    bench: 'firmware-sim',
    case: 'pty ping-pong G1 -> ok',
    value,
    unit: 'lines/s',
    baseline,
    ratio: median(ratios),
    goal: '>= 0.8',
    spread: spread(ratios),
  });
  process.exit(0);
}

void main();
