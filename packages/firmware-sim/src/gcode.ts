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
  let p = line;
  const star = p.indexOf('*');
  if (star >= 0) p = p.slice(0, star).replace(/ +$/, '');
  p = p.replace(/^ +/, '');
  const n = /^[Nn][-+]?\d*\s*/.exec(p);
  if (n && /^[Nn][-+0-9]/.test(p)) p = p.slice(n[0].length);
  return p;
}

export function parseCommand(line: string): ParsedCommand {
  const text = commandText(line);
  const params = new Map<string, string>();
  const head = /^([A-Za-z])(\d+(?:\.\d+)?)?/.exec(text);
  if (!head) return { text, letter: '', code: null, params, stringArg: '' };
  const letter = (head[1] ?? '').toUpperCase();
  const code = head[2] !== undefined ? Math.floor(Number(head[2])) : null;
  const rest = text.slice(head[0].length);
  const stringArg = rest.replace(/^ /, '');
  const re = /([A-Za-z])\s*([-+]?(?:\d+\.?\d*|\.\d+))?/g;
  for (let m = re.exec(rest); m; m = re.exec(rest)) {
    const key = (m[1] ?? '').toUpperCase();
    if (!params.has(key)) params.set(key, m[2] ?? '');
  }
  return { text, letter, code, params, stringArg };
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
  const m = /^\s*([-+]?\d+)/.exec(s);
  return m ? Number.parseInt(m[1] ?? '0', 10) : 0;
}
