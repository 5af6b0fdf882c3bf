/** A parsed command: Marlin's GCodeParser, reduced to what the simulator needs. */
export interface ParsedCommand {
  /** The command as Marlin's parser sees it: leading N and the checksum removed (`command_ptr`). */
  text: string;
  /** `G`, `M`, `T`, or another letter (unknown), or '' for an empty command. */
  letter: string;
  /** Numeric code (`1` for G1), or null when the letter has no number. */
  code: number | null;
  /** Parameters by upper-case letter; the value is the raw number text ('' when the letter has none). */
  params: Map<string, string>;
  /** Everything after the command code with the first space removed (M23/M28/M117/M118 argument). */
  stringArg: string;
}

/** Strips `N<n>` and `*<cs>` (with the spaces before it) the way Marlin's parser does. */
export function commandText(line: string): string {
  // Same as: cut at `*` and drop the spaces before it, drop leading spaces, then /^[Nn][-+]?\d*\s*/ when an N
  // is followed by a sign or digit. Scanned by character code: this runs for every line.
  let end = line.indexOf('*');
  if (end < 0) end = line.length;
  else while (end > 0 && line.charCodeAt(end - 1) === SPACE) end--;
  let start = 0;
  while (start < end && line.charCodeAt(start) === SPACE) start++;
  const first = line.charCodeAt(start);
  if ((first === 78 || first === 110) && start + 1 < end) {
    let i = start + 1;
    const c = line.charCodeAt(i);
    if (c === 43 || c === 45 || isDigit(c)) {
      if (c === 43 || c === 45) i++;
      while (i < end && isDigit(line.charCodeAt(i))) i++;
      while (i < end && isSpace(line.charCodeAt(i))) i++;
      start = i;
    }
  }
  return line.slice(start, end);
}

export function parseCommand(line: string): ParsedCommand {
  const text = commandText(line);
  const params = new Map<string, string>();
  // The head: /^([A-Za-z])(\d+(?:\.\d+)?)?/
  if (text.length === 0 || !isLetter(text.charCodeAt(0)))
    return { text, letter: '', code: null, params, stringArg: '' };
  const letter = text.charAt(0).toUpperCase();
  let end = digitsEnd(text, 1);
  let code: number | null = null;
  if (end > 1) {
    if (text.charCodeAt(end) === DOT && isDigit(text.charCodeAt(end + 1))) end = digitsEnd(text, end + 1);
    code = Math.floor(Number(text.slice(1, end)));
  }
  const rest = text.slice(end);
  const stringArg = rest.charCodeAt(0) === SPACE ? rest.slice(1) : rest;
  // Parameters: each /([A-Za-z])\s*([-+]?(?:\d+\.?\d*|\.\d+))?/ in the rest; the first of a letter wins.
  for (let i = 0; i < rest.length;) {
    if (!isLetter(rest.charCodeAt(i))) {
      i++;
      continue;
    }
    const key = rest.charAt(i).toUpperCase();
    let at = i + 1;
    while (at < rest.length && isSpace(rest.charCodeAt(at))) at++;
    const valueEnd = numberEnd(rest, at);
    if (!params.has(key)) params.set(key, rest.slice(at, valueEnd));
    i = valueEnd;
  }
  return { text, letter, code, params, stringArg };
}

const DOT = 46;
const SPACE = 32;

function isLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** JavaScript's `\s`. */
function isSpace(c: number): boolean {
  if (c <= 32) return c === 32 || (c >= 9 && c <= 13);
  if (c < 160) return false;
  return (
    c === 160 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  );
}

function digitsEnd(s: string, from: number): number {
  let i = from;
  while (i < s.length && isDigit(s.charCodeAt(i))) i++;
  return i;
}

/** End of `[-+]?(?:\d+\.?\d*|\.\d+)` at `from`, or `from` when there is no number there. */
function numberEnd(s: string, from: number): number {
  let i = from;
  const sign = s.charCodeAt(i);
  if (sign === 43 || sign === 45) i++;
  if (isDigit(s.charCodeAt(i))) {
    i = digitsEnd(s, i);
    if (s.charCodeAt(i) === DOT) i = digitsEnd(s, i + 1);
    return i;
  }
  if (s.charCodeAt(i) === DOT && isDigit(s.charCodeAt(i + 1))) return digitsEnd(s, i + 1);
  return from;
}

/** Number value of a parameter, or undefined when absent or empty. */
export function num(cmd: ParsedCommand, key: string): number | undefined {
  const raw = cmd.params.get(key);
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  return Number.isFinite(value) ? value : undefined;
}

/** C `strtol(s, nullptr, 10)`: leading spaces, sign, digits; 0 when none. */
export function strtol(s: string): number {
  let start = 0;
  while (start < s.length && isSpace(s.charCodeAt(start))) start++;
  const sign = s.charCodeAt(start);
  const digits = sign === 43 || sign === 45 ? start + 1 : start;
  const end = digitsEnd(s, digits);
  return end > digits ? Number.parseInt(s.slice(start, end), 10) : 0;
}
