#!/usr/bin/env node
import { createInterface } from 'node:readline';
import { CliUsageError, parseCliArgs, USAGE } from './cli-args.js';
import { startPtySimulator } from './pty.js';

async function main(): Promise<void> {
  let parsed: ReturnType<typeof parseCliArgs>;
  try {
    parsed = parseCliArgs(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof CliUsageError)) throw error;
    process.stderr.write(`hotend-firmware-sim: ${error.message}\n\n${USAGE}`);
    process.exit(2);
  }
  if (parsed.help) {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  if (!parsed.pty) {
    process.stderr.write(`hotend-firmware-sim: --pty is required\n\n${USAGE}`);
    process.exit(2);
  }
  const server = await startPtySimulator(parsed.options);
  process.stdout.write(`${server.path}\n`);
  if (server.link) process.stderr.write(`${server.link} -> ${server.path}\n`);
  process.stderr.write(`firmware-sim (${server.sim.dialect}) serving on ${server.path}; Ctrl-C to stop\n`);
  server.sim.onDisconnect(() => {
    process.stderr.write('disconnect fault: pty closed\n');
    setTimeout(() => process.exit(0), 50);
  });
  if (!process.stdin.isTTY || process.stdin.readable) {
    const rl = createInterface({ input: process.stdin });
    rl.on('line', (line) => {
      const text = line.trim();
      if (text) server.sim.debug(text);
    });
    rl.on('close', () => undefined);
  }
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    void server.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

void main();
