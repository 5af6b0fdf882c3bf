/**
 * How Hotend's log lines look: `2026-11-20 14:03:12,345 - hotend.comm - INFO - message`, OctoPrint's layout.
 * Every record is exactly one line: control characters in anything logged are escaped, so no message can
 * forge a line of its own (log injection).
 */

const PINO_LEVEL_LABELS: Readonly<Record<number, string>> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};

const pad2 = (value: number): string => (value < 10 ? `0${value}` : String(value));

/** Local date as `YYYY-MM-DD`: the suffix of rotated files. */
export function formatLocalDate(date: Date): string {
  return `${date.getFullYear()}-${pad2(date.getMonth() + 1)}-${pad2(date.getDate())}`;
}

let cachedSecond = Number.NaN;
let cachedSecondText = '';

/** Local time as `YYYY-MM-DD HH:MM:SS,mmm` (the part up to the second is reused within a second). */
export function formatLocalTimestamp(epochMs: number): string {
  const second = Math.floor(epochMs / 1000);
  if (second !== cachedSecond) {
    const date = new Date(second * 1000);
    cachedSecondText = `${formatLocalDate(date)} ${pad2(date.getHours())}:${pad2(date.getMinutes())}:${pad2(date.getSeconds())}`;
    cachedSecond = second;
  }
  const millis = epochMs - second * 1000;
  return `${cachedSecondText},${millis < 10 ? '00' : millis < 100 ? '0' : ''}${millis}`;
}

// C0 controls except tab, DEL, C1 controls and the Unicode line/paragraph separators.
// eslint-disable-next-line no-control-regex
const UNSAFE_CHARACTER = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029]/;
const UNSAFE_CHARACTERS = new RegExp(UNSAFE_CHARACTER.source, 'g');

function escapeCharacter(character: string): string {
  switch (character) {
    case '\n':
      return '\\n';
    case '\r':
      return '\\r';
    default:
      return `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`;
  }
}

/** The text with CR, LF and other control characters written as visible escapes (`\n`, `\r`, `\u001b`). */
export function escapeControlCharacters(text: string): string {
  return UNSAFE_CHARACTER.test(text) ? text.replace(UNSAFE_CHARACTERS, escapeCharacter) : text;
}

export function levelLabel(pinoLevel: number): string {
  return PINO_LEVEL_LABELS[pinoLevel] ?? `LEVEL${pinoLevel}`;
}

interface SerializedError {
  type?: unknown;
  message?: unknown;
  stack?: unknown;
}

const RESERVED_FIELDS = new Set(['level', 'time', 'name', 'msg', 'err']);

/**
 * Turns one pino JSON record into a readable line. Fields besides time, name, level and msg are appended as
 * JSON; an `err` is appended as its stack (escaped onto the same line).
 */
export function formatPinoRecord(json: string): string {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return `${formatLocalTimestamp(Date.now())} - hotend.log - ERROR - unparseable record: ${escapeControlCharacters(json.trim())}\n`;
  }
  const time = typeof record['time'] === 'number' ? record['time'] : Date.now();
  const name = typeof record['name'] === 'string' ? record['name'] : 'hotend';
  const level = typeof record['level'] === 'number' ? levelLabel(record['level']) : 'INFO';
  let message =
    typeof record['msg'] === 'string' ? record['msg'] : record['msg'] === undefined ? '' : String(record['msg']);

  const error = record['err'] as SerializedError | undefined;
  if (error !== undefined && error !== null && typeof error === 'object') {
    const detail = typeof error.stack === 'string' ? error.stack : `${String(error.type)}: ${String(error.message)}`;
    message = message === '' ? detail : `${message}: ${detail}`;
  }
  const extra: Record<string, unknown> = {};
  let hasExtra = false;
  for (const key of Object.keys(record)) {
    if (RESERVED_FIELDS.has(key)) continue;
    extra[key] = record[key];
    hasExtra = true;
  }
  if (hasExtra) message = `${message} ${JSON.stringify(extra)}`;
  return formatLogLine(time, name, level, message);
}

/** One `hotend.log` line: `2026-11-20 14:03:12,345 - hotend.comm - INFO - message`. */
export function formatLogLine(epochMs: number, name: string, level: string, message: string): string {
  return `${formatLocalTimestamp(epochMs)} - ${escapeControlCharacters(name)} - ${level} - ${escapeControlCharacters(message)}\n`;
}

/** One `serial.log` line: `2026-11-20 14:03:12,345 - Send: N1 M110 N0*125`. */
export function formatSerialLine(epochMs: number, direction: string, line: string): string {
  return `${formatLocalTimestamp(epochMs)} - ${direction}: ${escapeControlCharacters(line)}\n`;
}
