#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { type MarlinSimOptions } from './options.js';
import { startPtySimulator } from './pty.js';

const USAGE = `Usage: hotend-firmware-sim --pty [options]

Serves a simulated Marlin 2.1 printer on a pseudo-terminal and prints the device path.

  --pty                     serve on a pseudo-terminal (the only transport of the CLI)
  --link <path>             also create a symlink to the device, e.g. /tmp/printer
  --dialect <d>             marlin (default) or octoprint-vp
  --profile <file.json>     MarlinSimOptions as JSON (flags below override it)
  --extruders <n>           number of hotends (default 1)
  --no-bed                  no heated bed
  --chamber                 heated chamber
  --no-sd                   no SD card inserted
  --no-reset                native USB: no banner
  --advanced-ok             ADVANCED_OK replies
  --emergency-parser        EMERGENCY_PARSER
  --rx-buffer <bytes>       RX buffer size (default 127)
  --bufsize <n>             command ring size (default 4)
  --planner <n>             planner blocks (default 16)
  --sd-folder <dir>         back the SD card with a folder
  --seed <n>                seed for the noise fault
  -h, --help                this text

Faults: send "!!DEBUG:<command>" on the port, or type "<command>" on this process's stdin ("help" lists them).
`;

function parseArgs(argv: string[]): { options: MarlinSimOptions & { link?: string }; pty: boolean } {
  let options: MarlinSimOptions & { link?: string } = {};
  let pty = false;
  const flags: MarlinSimOptions & { link?: string } = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value`);
      return v;
    };
    switch (arg) {
      case '--pty':
        pty = true;
        break;
      case '--link':
        flags.link = value();
        break;
      case '--dialect': {
        const d = value();
        if (d !== 'marlin' && d !== 'octoprint-vp') throw new Error(`unknown dialect ${d}`);
        flags.dialect = d;
        break;
      }
      case '--profile':
        options = { ...(JSON.parse(readFileSync(value(), 'utf8')) as MarlinSimOptions), ...options };
        break;
      case '--extruders':
        flags.extruders = Number(value());
        break;
      case '--no-bed':
        flags.heatedBed = false;
        break;
      case '--chamber':
        flags.heatedChamber = true;
        break;
      case '--no-sd':
        flags.sdCard = false;
        break;
      case '--no-reset':
        flags.resetOnOpen = false;
        break;
      case '--advanced-ok':
        flags.advancedOk = true;
        break;
      case '--emergency-parser':
        flags.emergencyParser = true;
        break;
      case '--rx-buffer':
        flags.rxBufferSize = Number(value());
        break;
      case '--bufsize':
        flags.bufsize = Number(value());
        break;
      case '--planner':
        flags.plannerBlocks = Number(value());
        break;
      case '--sd-folder':
        flags.sdFolder = value();
        break;
      case '--seed':
        flags.seed = Number(value());
        break;
      case '-h':
      case '--help':
        process.stdout.write(USAGE);
        process.exit(0);
        break;
      default:
        throw new Error(`unknown argument ${arg ?? ''}`);
    }
  }
  return { options: { ...options, ...flags }, pty };
}

async function main(): Promise<void> {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
  if (!parsed.pty) {
    process.stderr.write(USAGE);
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
