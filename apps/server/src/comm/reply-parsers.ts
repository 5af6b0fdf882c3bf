/** Parsers for what the firmware sends back (marlin-protocol.md §1.3, §3.5, §3.8, §3.10). Pure functions. */
import type { HostAction, SdFileEntry } from './printer-comm.types.js';

/** One raw sensor reading; `target` is undefined when the firmware printed none. */
export interface RawReading {
  actual: number;
  target: number | undefined;
}

const TEMPERATURE_PATTERN = /(?:^|\s)(B|C|T\d*|\w+):\s*([-+]?[0-9]*\.?[0-9]+)(?:\s*\/?\s*([-+]?[0-9]*\.?[0-9]+))?/g;

/** Every `<sensor>:<actual>[ /<target>]` pair in a line; the first occurrence of a sensor wins. */
export function parseTemperatureLine(line: string): Map<string, RawReading> {
  const readings = new Map<string, RawReading>();
  for (const match of line.matchAll(TEMPERATURE_PATTERN)) {
    const sensor = match[1];
    const actual = match[2];
    if (sensor === undefined || actual === undefined || readings.has(sensor)) continue;
    const target = match[3];
    readings.set(sensor, { actual: Number(actual), target: target === undefined ? undefined : Number(target) });
  }
  return readings;
}

/** Whether a line carries a temperature report (OctoPrint's test, position lines excluded). */
export function isTemperatureLine(line: string): boolean {
  if (/X:/.test(line) && /Y:/.test(line) && /Z:/.test(line)) return false;
  if (/^(?:ok\s+)?(?:T:|T0:|B:)/.test(line.trim())) return true;
  return (line.includes(' T:') || line.includes(' T0:') || line.includes(' B:')) && !line.includes('A:');
}

/**
 * Maps raw sensors to OctoPrint's heater keys (`tool0`.., `bed`, `chamber`): a lone `T` is the current tool;
 * `T` next to `T0..` is dropped (kept for the current tool if missing); `T` with `T1..` but no `T0` is `T0`
 * (Smoothie). `C` is the chamber only when the printer has one. Other sensors are ignored.
 */
export function canonicalHeaters(
  readings: Map<string, RawReading>,
  currentTool: number,
  hasChamber: boolean,
): Map<string, RawReading> {
  const heaters = new Map<string, RawReading>();
  const numbered = [...readings.keys()].filter((key) => /^T\d+$/.test(key));
  for (const key of numbered) {
    const reading = readings.get(key);
    if (reading !== undefined) heaters.set(`tool${Number(key.slice(1))}`, reading);
  }
  const plain = readings.get('T');
  if (plain !== undefined) {
    if (numbered.length === 0) heaters.set(`tool${currentTool}`, plain);
    else if (readings.has('T0')) {
      if (!heaters.has(`tool${currentTool}`)) heaters.set(`tool${currentTool}`, plain);
    } else if (!heaters.has('tool0')) heaters.set('tool0', plain);
  }
  const bed = readings.get('B');
  if (bed !== undefined) heaters.set('bed', bed);
  const chamber = readings.get('C');
  if (chamber !== undefined && hasChamber) heaters.set('chamber', chamber);
  return heaters;
}

/** FAT dates before 2008-05-29 are firmware defaults (e.g. 2000-01-01), not real dates. */
const EARLIEST_PLAUSIBLE_DATE = Date.UTC(2008, 4, 29) / 1000;

/** `0x<hex>` FAT timestamp (date in the high 16 bits, time in the low 16) to epoch seconds. */
function fatTimestamp(hex: string): number | undefined {
  const value = Number.parseInt(hex, 16);
  if (!Number.isFinite(value)) return undefined;
  const date = value >>> 16;
  const time = value & 0xffff;
  const seconds =
    Date.UTC(
      1980 + (date >> 9),
      ((date >> 5) & 0x0f) - 1,
      date & 0x1f,
      time >> 11,
      (time >> 5) & 0x3f,
      (time & 0x1f) * 2,
    ) / 1000;
  return Number.isFinite(seconds) && seconds >= EARLIEST_PLAUSIBLE_DATE ? seconds : undefined;
}

/**
 * One line between `Begin file list` and `End file list`: `name`, `name size`, `name size 0xTS`, `name size long`
 * or `name size 0xTS long` (quotes around the long name removed). Non-ASCII names are rejected; `/` is prefixed.
 */
export function parseFileListLine(line: string): SdFileEntry | undefined {
  const trimmed = line.trim();
  if (trimmed === '' || /[^\x20-\x7e]/.test(trimmed)) return undefined;
  const [rawName = '', rawSize, ...rest] = trimmed.split(/\s+/);
  const name = rawName.startsWith('/') ? rawName : `/${rawName}`;
  if (rawSize === undefined) return { name, size: undefined, longName: undefined, date: undefined };
  if (!/^\d+$/.test(rawSize)) return undefined;
  let date: number | undefined;
  let longParts = rest;
  if (rest[0] !== undefined && /^0x[0-9a-f]+$/i.test(rest[0])) {
    date = fatTimestamp(rest[0].slice(2));
    longParts = rest.slice(1);
  }
  const longName = longParts.length === 0 ? undefined : longParts.join(' ').replace(/^"(.*)"$/, '$1');
  return { name, size: Number(rawSize), longName, date };
}

/** `SD printing byte <done>/<total>`. */
export function parseSdPrintingByte(line: string): { done: number; total: number } | undefined {
  const match = /SD printing byte\s+(\d+)\s*\/\s*(\d+)/i.exec(line);
  if (match === null) return undefined;
  return { done: Number(match[1]), total: Number(match[2]) };
}

/** `//action:<name> <params>` (also `// action:`). */
export function parseActionCommand(line: string): HostAction | undefined {
  const match = /^\/\/\s*action:(\S+)\s*(.*)$/.exec(line.trim());
  if (match === null) return undefined;
  return { action: match[1] ?? '', parameters: (match[2] ?? '').trim() };
}

/** `Cap:<NAME>:<0|1>`. */
export function parseCapability(line: string): { name: string; enabled: boolean } | undefined {
  const match = /^cap:([A-Z0-9_]+):([01])\s*$/i.exec(line.trim());
  if (match === null) return undefined;
  return { name: (match[1] ?? '').toUpperCase(), enabled: match[2] === '1' };
}

/** An M115 reply split into `KEY: value` pairs (`FIRMWARE_NAME`, `EXTRUDER_COUNT`, ...). */
export function parseFirmwareInfo(line: string): Record<string, string> {
  const parts = line.trim().split(/(?:^|\s+)([A-Z][A-Z0-9_]*):/);
  const info: Record<string, string> = {};
  for (let index = 1; index + 1 < parts.length; index += 2) {
    const key = parts[index];
    if (key !== undefined) info[key] = (parts[index + 1] ?? '').trim();
  }
  return info;
}

/** The line number a `Resend: N` / `Resend:N` / `rs N5` line asks for. */
export function parseResendRequest(line: string): number | undefined {
  const match = /(?:N:?)?(\d+)/.exec(line.replace(/^\s*(resend|rs)\s*:?/i, ''));
  return match === null ? undefined : Number(match[1]);
}

export type ErrorKind =
  /** `No Line Number with checksum`: no resend follows; fake an ok and push on. */
  | 'missing-line-number'
  /** A checksum or line-number complaint: a `Resend:` follows. */
  | 'resend'
  /** SD card errors: reported through SD state, not fatal. */
  | 'sd'
  /** `Unknown command`: ignored. */
  | 'unknown-command'
  /** Anything else: the printer is in trouble. */
  | 'fatal';

/** OctoPrint's `_handle_errors` classes for an `Error:` line's message (already lower-cased or not). */
export function classifyError(message: string): ErrorKind {
  const text = message.toLowerCase();
  if (text.includes('no line number with checksum') || text.includes('missing linenumber')) {
    return 'missing-line-number';
  }
  if (/line number|linenumber|checksum|format error|expected line/.test(text)) return 'resend';
  if (/volume\.init|openroot|workdir|error writing to file|cannot open|open failed|cannot enter/.test(text)) {
    return 'sd';
  }
  if (text.includes('unknown command')) return 'unknown-command';
  return 'fatal';
}

/** Error texts whose explanation arrives on the next line (`... - Printer halted. kill() called!`). */
export function errorContinues(message: string): boolean {
  return (
    /Heating failed|Thermal Runaway|Thermal Malfunction|MAXTEMP triggered|MINTEMP triggered|Invalid extruder number|Watchdog barked|KILL caused/i.test(
      message,
    ) || /^\d+$/.test(message.trim())
  );
}

/** The FAQ tag OctoPrint derives from a fatal error's text. */
export function errorReason(message: string): string {
  const text = message.toLowerCase();
  if (text.includes('mintemp')) return 'mintemp';
  if (text.includes('maxtemp')) return 'maxtemp';
  if (text.includes('runaway')) return 'runaway';
  if (text.includes('heating failed')) return 'heating_failed';
  if (/probing failed|bed leveling|reference point|bltouch/.test(text)) return 'probing_failed';
  return 'firmware';
}

/** An M114 report, `X:10.00 Y:20.00 Z:0.30 E:5.00 Count X:...` (the part before `Count`); undefined otherwise. */
export function parsePosition(line: string): { x: number; y: number; z: number; e: number } | undefined {
  const match = /^X:\s*(-?[\d.]+)\s+Y:\s*(-?[\d.]+)\s+Z:\s*(-?[\d.]+)\s+E:\s*(-?[\d.]+)/.exec(line);
  if (match === null) return undefined;
  return { x: Number(match[1]), y: Number(match[2]), z: Number(match[3]), e: Number(match[4]) };
}
