import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type FileLine, FileLineReader } from './file-line-reader.js';

const folders: string[] = [];
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

/** Every line of `content`, reading on whenever the reader asks to be woken. */
async function readAll(content: Buffer | string): Promise<FileLine[]> {
  const folder = mkdtempSync(join(tmpdir(), 'hotend-reader-'));
  folders.push(folder);
  const file = join(folder, 'lines.gcode');
  writeFileSync(file, content);
  let wake: () => void = () => undefined;
  const reader = new FileLineReader(file, () => wake());
  await reader.open();
  const lines: FileLine[] = [];
  for (;;) {
    const line = reader.next();
    if (line !== undefined) lines.push(line);
    else if (reader.done) break;
    else await new Promise<void>((resolve) => (wake = resolve));
  }
  await reader.close();
  return lines;
}

describe('FileLineReader', () => {
  it('strips LF and CRLF endings, keeps a last line without one, and counts every byte', async () => {
    const lines = await readAll('G28\r\nG1 X1\n\nM400');
    expect(lines).toEqual([
      { text: 'G28', end: 5 },
      { text: 'G1 X1', end: 11 },
      { text: '', end: 12 },
      { text: 'M400', end: 16 },
    ]);
  });

  it('skips a BOM but counts it, and replaces bad UTF-8', async () => {
    const lines = await readAll(
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('G1 ; é\n'), Buffer.from([0xff, 0x0a])]),
    );
    expect(lines).toEqual([
      { text: 'G1 ; é', end: 11 },
      { text: '\ufffd', end: 13 },
    ]);
  });

  it('reads lines across its chunk boundaries in order', async () => {
    const all = Array.from({ length: 60_000 }, (_, index) => `G1 X${index} ; line ${index}`);
    const lines = await readAll(`${all.join('\n')}\n`);
    expect(lines.map((line) => line.text)).toEqual(all);
    expect(lines.at(-1)?.end).toBe(Buffer.byteLength(`${all.join('\n')}\n`));
  });
});
