import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { MarlinSimOptions } from './options.js';

export const USAGE = `Usage: hotend-firmware-sim --pty [options]

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

/** Bad command-line input: its message is one line saying what was wrong. */
export class CliUsageError extends Error {}

export interface CliArgs {
  options: MarlinSimOptions & { link?: string };
  pty: boolean;
  help: boolean;
}

const SPEC = {
  pty: { type: 'boolean' },
  link: { type: 'string' },
  dialect: { type: 'string' },
  profile: { type: 'string' },
  extruders: { type: 'string' },
  'no-bed': { type: 'boolean' },
  chamber: { type: 'boolean' },
  'no-sd': { type: 'boolean' },
  'no-reset': { type: 'boolean' },
  'advanced-ok': { type: 'boolean' },
  'emergency-parser': { type: 'boolean' },
  'rx-buffer': { type: 'string' },
  bufsize: { type: 'string' },
  planner: { type: 'string' },
  'sd-folder': { type: 'string' },
  seed: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** A whole number within [min, max], or a CliUsageError naming the flag. */
function wholeNumber(flag: string, text: string | undefined, min: number, max: number): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (text.trim() === '' || !Number.isInteger(value) || value < min || value > max) {
    throw new CliUsageError(`--${flag} takes a whole number from ${min} to ${max}, not "${text}"`);
  }
  return value;
}

function readProfile(path: string): MarlinSimOptions {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new CliUsageError(`--profile ${path}: ${(error as NodeJS.ErrnoException).code ?? 'cannot be read'}`);
  }
  try {
    const profile: unknown = JSON.parse(text);
    if (profile === null || typeof profile !== 'object' || Array.isArray(profile)) throw new Error('not an object');
    return profile as MarlinSimOptions;
  } catch {
    throw new CliUsageError(`--profile ${path}: not a JSON object`);
  }
}

/** The CLI's flags as simulator options (flags override a --profile file). */
export function parseCliArgs(argv: readonly string[]): CliArgs {
  let values: ReturnType<typeof parseArgs<{ args: string[]; options: typeof SPEC; strict: true }>>['values'];
  try {
    ({ values } = parseArgs({ args: [...argv], options: SPEC, strict: true, allowPositionals: false }));
  } catch (error) {
    throw new CliUsageError((error as Error).message.split('\n')[0] ?? 'bad arguments');
  }
  const dialect = values.dialect;
  if (dialect !== undefined && dialect !== 'marlin' && dialect !== 'octoprint-vp') {
    throw new CliUsageError(`--dialect is marlin or octoprint-vp, not "${dialect}"`);
  }
  const flags: MarlinSimOptions & { link?: string } = {};
  if (values.link !== undefined) flags.link = values.link;
  if (dialect !== undefined) flags.dialect = dialect;
  const numbers: Array<[keyof MarlinSimOptions, string, string | undefined, number, number]> = [
    ['extruders', 'extruders', values.extruders, 1, 16],
    ['rxBufferSize', 'rx-buffer', values['rx-buffer'], 1, 65536],
    ['bufsize', 'bufsize', values.bufsize, 1, 64],
    ['plannerBlocks', 'planner', values.planner, 2, 256],
    ['seed', 'seed', values.seed, 0, 2 ** 32 - 1],
  ];
  for (const [key, flag, text, min, max] of numbers) {
    const value = wholeNumber(flag, text, min, max);
    if (value !== undefined) Object.assign(flags, { [key]: value });
  }
  if (values['no-bed'] === true) flags.heatedBed = false;
  if (values.chamber === true) flags.heatedChamber = true;
  if (values['no-sd'] === true) flags.sdCard = false;
  if (values['no-reset'] === true) flags.resetOnOpen = false;
  if (values['advanced-ok'] === true) flags.advancedOk = true;
  if (values['emergency-parser'] === true) flags.emergencyParser = true;
  if (values['sd-folder'] !== undefined) flags.sdFolder = values['sd-folder'];
  const profile = values.profile === undefined ? {} : readProfile(values.profile);
  return { options: { ...profile, ...flags }, pty: values.pty === true, help: values.help === true };
}
