/** Outgoing line handling: comments, command codes, line numbers and checksums (marlin-protocol.md §1.2, §3.3). */

/** Marlin's MAX_CMD_SIZE (96) minus the terminator: longer lines are truncated by the firmware. */
export const MAX_LINE_BYTES = 95;

/** XOR of every byte of `text`, as Marlin checks it (decimal, 0..127 for ASCII). */
export function checksum(text: string): number {
  let sum = 0;
  for (let index = 0; index < text.length; index += 1) sum ^= text.charCodeAt(index) & 0xff;
  return sum;
}

/** `N<n> <command>*<cs>`, without the line terminator. */
export function numberedLine(lineNumber: number, command: string): string {
  const body = `N${lineNumber} ${command}`;
  return `${body}*${checksum(body)}`;
}

/** Removes a `;` comment (an escaped `\;` is kept) and surrounding whitespace, like OctoPrint's strip_comment. */
export function stripComment(line: string): string {
  let escaped = false;
  for (let index = 0; index < line.length; index += 1) {
    const char = line[index];
    if (escaped) escaped = false;
    else if (char === '\\') escaped = true;
    else if (char === ';') return line.slice(0, index).trim();
  }
  return line.trim();
}

/** The G/M/T code of a command (`G1`, `M105`, `T0`), upper case, or undefined for anything else. */
export function commandCode(command: string): string | undefined {
  const match = /^\s*([GMT])\s*(\d+)/i.exec(command);
  if (match === null) return undefined;
  return `${match[1]?.toUpperCase() ?? ''}${Number(match[2])}`;
}

/** The numeric value after `letter` in a command (`S200` → 200), or undefined. */
export function commandParameter(command: string, letter: string): number | undefined {
  const match = new RegExp(`(?:^|\\s)${letter}\\s*([-+]?\\d*\\.?\\d+)`, 'i').exec(
    command.replace(/^\s*[GMT]\d+/i, ' '),
  );
  if (match === null) return undefined;
  return Number(match[1]);
}
