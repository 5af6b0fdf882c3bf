/**
 * Plex `/log` parameters: one query string per message (`level=0&message=...&source=...`), many of them in a
 * batch body, separated by newlines or simply joined with `&` (seed 001's example). A line never continues the
 * message of the line before it, and within a line a `level` starts a new message once the current one has any
 * field; so a line without `level`, or a field given twice in one message, is refused rather than silently
 * overwriting an earlier message. A token without `=` (the seed's stray `&message`) means nothing; other keys
 * (`X-Plex-Token`, `apikey`) are ignored.
 */

export const PLEX_LEVELS = ['error', 'warn', 'info', 'debug', 'verbose'] as const;
export type PlexLevelName = (typeof PLEX_LEVELS)[number];

export interface LogEntry {
  /** 0 error, 1 warn, 2 info, 3 debug, 4 verbose. */
  readonly level: number;
  readonly message: string;
  readonly source: string;
}

/** The input cannot be written; the message says which entry and why. Nothing has been written. */
export class LogBatchError extends Error {
  override readonly name = 'LogBatchError';
}

interface PartialEntry {
  level?: string;
  message?: string;
  source?: string;
}

/** Form decoding: `+` is a space, then percent escapes; a malformed escape is an error. */
function decode(text: string, position: number): string {
  const spaced = text.includes('+') ? text.replace(/\+/g, ' ') : text;
  if (!spaced.includes('%')) return spaced;
  try {
    return decodeURIComponent(spaced);
  } catch {
    throw new LogBatchError(`parameter ${position}: malformed percent-encoding in "${text.slice(0, 100)}"`);
  }
}

function isEmpty(entry: PartialEntry): boolean {
  return entry.level === undefined && entry.message === undefined && entry.source === undefined;
}

function complete(entry: PartialEntry, index: number): LogEntry {
  const where = `message ${index + 1}`;
  if (entry.level === undefined) throw new LogBatchError(`${where}: level is missing`);
  if (!/^[0-4]$/.test(entry.level.trim())) {
    throw new LogBatchError(`${where}: level must be 0 (error) to 4 (verbose), got "${entry.level.slice(0, 20)}"`);
  }
  if (entry.message === undefined || entry.message === '') throw new LogBatchError(`${where}: message is missing`);
  if (entry.source === undefined || entry.source === '') throw new LogBatchError(`${where}: source is missing`);
  return { level: Number(entry.level.trim()), message: entry.message, source: entry.source };
}

type Field = keyof PartialEntry;

/** The field a raw key names (`level`, `message`, `source`), or undefined for any other key. */
function fieldAt(text: string, start: number, end: number, position: number): Field | undefined {
  // Plain keys are compared in place; only an encoded one is cut out and decoded.
  const length = end - start;
  if (length === 5 && text.startsWith('level', start)) return 'level';
  if (length === 7 && text.startsWith('message', start)) return 'message';
  if (length === 6 && text.startsWith('source', start)) return 'source';
  const key = decode(text.slice(start, end), position);
  return key === 'level' || key === 'message' || key === 'source' ? key : undefined;
}

/**
 * Every entry in the text, validated as a whole: any problem throws `LogBatchError` before anything is returned.
 * One pass over the text by index (lines end at `\n` or `\r\n`, parameters at `&`); a batch holds thousands.
 */
export function parseLogParameters(text: string): LogEntry[] {
  const drafts: PartialEntry[] = [];
  let position = 0;
  for (let lineStart = 0; lineStart <= text.length;) {
    const newline = text.indexOf('\n', lineStart);
    const lineEnd = newline === -1 ? text.length : newline;
    const contentEnd = newline > lineStart && text.charCodeAt(newline - 1) === 13 ? newline - 1 : lineEnd;
    let current: PartialEntry = {};
    for (let tokenStart = lineStart; ;) {
      const ampersand = text.indexOf('&', tokenStart);
      const tokenEnd = ampersand === -1 || ampersand > contentEnd ? contentEnd : ampersand;
      position += 1;
      const equals = tokenEnd > tokenStart ? text.indexOf('=', tokenStart) : -1;
      const key = equals === -1 || equals >= tokenEnd ? undefined : fieldAt(text, tokenStart, equals, position);
      if (key !== undefined) {
        const value = decode(text.slice(equals + 1, tokenEnd), position);
        if (key === 'level' && !isEmpty(current)) {
          drafts.push(current);
          current = {};
        }
        if (current[key] !== undefined) {
          throw new LogBatchError(`message ${drafts.length + 1}: ${key} is given twice (parameter ${position})`);
        }
        current[key] = value;
      }
      if (tokenEnd >= contentEnd) break;
      tokenStart = tokenEnd + 1;
    }
    if (!isEmpty(current)) drafts.push(current);
    lineStart = lineEnd + 1;
  }
  if (drafts.length === 0) throw new LogBatchError('no log message given (level, message and source are required)');
  return drafts.map(complete);
}
