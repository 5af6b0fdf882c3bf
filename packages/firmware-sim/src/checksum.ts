/** XOR of every byte of `text` (the part of a line before `*`). */
export function checksum(text: string): number {
  let cs = 0;
  for (let i = 0; i < text.length; i++) cs ^= text.charCodeAt(i) & 0xff;
  return cs;
}

/** Builds a numbered, checksummed line the way hosts do: `N<n> <command>*<cs>` (no terminator). */
export function formatLine(n: number, command: string): string {
  const body = `N${n} ${command}`;
  return `${body}*${checksum(body)}`;
}
