// How names and paths from requests become storage paths (spec octoprint-files-jobs §1.5, §1.6).

/** A request named a path that would leave its folder (`..`, absolute, backslash, NUL); always a 400. */
export class InvalidPathError extends Error {
  constructor(readonly input: string) {
    super('Invalid path');
  }
}

/** Machine-code extensions OctoPrint accepts (last extension, case-insensitive). */
const MACHINECODE_EXTENSIONS: ReadonlySet<string> = new Set(['gcode', 'gco', 'g', 'gc~']);

const MAX_NAME_BYTES = 255;
/** OctoPrint's own strip set, plus what pathvalidate's universal platform removes. */
// eslint-disable-next-line no-control-regex -- control characters are exactly what must go
const STRIPPED = /[;|&?$*<>:"\u0000-\u001f\u007f]/g;
/** Windows device names, which get a `_` appended to the stem (`con.gcode` → `con_.gcode`). */
const RESERVED_STEM = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])$/i;

export function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot <= 0 ? '' : name.slice(dot + 1).toLowerCase();
}

export function isMachineCode(name: string): boolean {
  return MACHINECODE_EXTENSIONS.has(extensionOf(name));
}

function truncateToBytes(text: string, bytes: number): string {
  let result = '';
  let used = 0;
  for (const char of text) {
    const size = Buffer.byteLength(char);
    if (used + size > bytes) break;
    result += char;
    used += size;
  }
  return result;
}

/** Shortens a name to 255 UTF-8 bytes, cutting the stem, not the extension (OctoPrint may cut the extension). */
function limitLength(name: string): string {
  if (Buffer.byteLength(name) <= MAX_NAME_BYTES) return name;
  const dot = name.lastIndexOf('.');
  const extension = dot > 0 ? name.slice(dot) : '';
  const stem = dot > 0 ? name.slice(0, dot) : name;
  return truncateToBytes(stem, MAX_NAME_BYTES - Buffer.byteLength(extension)) + extension;
}

/**
 * One name as OctoPrint stores it: unsafe characters stripped, surrounding spaces and trailing dots trimmed,
 * leading dots removed (no hidden files), device names made harmless, at most 255 bytes. May return ''.
 * A separator or NUL is not sanitised away but refused: it would be a path, not a name.
 */
export function sanitizeName(input: string): string {
  // eslint-disable-next-line no-control-regex -- NUL is refused, not stripped
  if (/[/\\\u0000]/.test(input)) throw new InvalidPathError(input);
  let name = input.replace(STRIPPED, '').trim();
  name = name.replace(/\.+$/, '').replace(/^\.+/, '').trim();
  const dot = name.indexOf('.');
  const stem = dot === -1 ? name : name.slice(0, dot);
  if (RESERVED_STEM.test(stem)) name = `${stem}_${dot === -1 ? '' : name.slice(dot)}`;
  return limitLength(name);
}

/**
 * A folder or file path from a request (`path`, `foldername`, `destination`, a multipart filename with `/`):
 * segments sanitised, `.` and empty segments dropped. Traversal (`..`), an absolute path, a backslash or NUL is
 * refused rather than resolved. Returns the segments (empty for the root).
 */
export function sanitizePath(input: string): string[] {
  // eslint-disable-next-line no-control-regex -- NUL is refused, not stripped
  if (input.startsWith('/') || /[\\\u0000]/.test(input)) throw new InvalidPathError(input);
  const segments: string[] = [];
  for (const raw of input.split('/')) {
    if (raw === '' || raw === '.') continue;
    if (raw === '..') throw new InvalidPathError(input);
    const name = sanitizeName(raw);
    if (name === '') throw new InvalidPathError(input);
    segments.push(name);
  }
  return segments;
}

/**
 * A local path taken from a URL: validated, never rewritten (OctoPrint answers 404 for a segment that is not
 * already in its sanitised form, so `..` or `a%3Fb.gcode` never reach the disk). Undefined when invalid.
 */
export function parseStoredPath(input: string): string[] | undefined {
  const segments = input.split('/').filter((segment) => segment !== '');
  for (const segment of segments) {
    try {
      if (sanitizeName(segment) !== segment) return undefined;
    } catch {
      return undefined;
    }
  }
  return segments;
}

export function joinPath(segments: readonly string[]): string {
  return segments.join('/');
}
