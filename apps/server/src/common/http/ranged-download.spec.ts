import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { afterAll, describe, expect, it } from 'vitest';
import { type OpenedFile, openedFile } from '../files/opened-file.js';
import { rangedDownload } from './ranged-download.js';

const folder = mkdtempSync(join(tmpdir(), 'hotend-ranged-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

/** A real file opened through openedFile, with a record of whether its descriptor was closed. */
async function fileWith(content: string): Promise<{ file: OpenedFile; closed: () => boolean }> {
  const path = join(folder, `${Math.random()}.log`);
  writeFileSync(path, content);
  const handle = await open(path, 'r');
  // A closed FileHandle reports fd -1.
  return { file: openedFile(handle, content.length), closed: () => handle.fd === -1 };
}

describe('rangedDownload', () => {
  it('streams the whole file with its length when there is no Range', async () => {
    const { file } = await fileWith('abcdefghij');
    const download = await rangedDownload(file, undefined);
    expect(download.status).toBe(200);
    expect(download.headers).toEqual({ 'accept-ranges': 'bytes', 'content-length': '10' });
    if (download.status === 416) throw new Error('unexpected 416');
    expect(await text(download.body as Readable)).toBe('abcdefghij');
  });

  it('answers one range with 206 and Content-Range', async () => {
    const { file } = await fileWith('abcdefghij');
    const download = await rangedDownload(file, 'bytes=2-4');
    expect(download.status).toBe(206);
    expect(download.headers).toMatchObject({ 'content-length': '3', 'content-range': 'bytes 2-4/10' });
    if (download.status === 416) throw new Error('unexpected 416');
    expect(await text(download.body as Readable)).toBe('cde');
  });

  it('answers 416 with the size and closes the file', async () => {
    const { file, closed } = await fileWith('abc');
    const download = await rangedDownload(file, 'bytes=5-');
    expect(download).toEqual({ status: 416, headers: { 'accept-ranges': 'bytes', 'content-range': 'bytes */3' } });
    await new Promise((resolve) => setImmediate(resolve));
    expect(closed()).toBe(true);
  });

  it('gives HEAD the headers and an empty stream, and closes the file', async () => {
    const { file, closed } = await fileWith('abcdef');
    const download = await rangedDownload(file, undefined, true);
    expect(download.headers['content-length']).toBe('6');
    if (download.status === 416) throw new Error('unexpected 416');
    expect(download.body).toBeInstanceOf(Readable);
    expect(await text(download.body as Readable)).toBe('');
    await new Promise((resolve) => setImmediate(resolve));
    expect(closed()).toBe(true);
  });

  it('sends an empty file as an empty 200', async () => {
    const { file, closed } = await fileWith('');
    const download = await rangedDownload(file, undefined);
    expect(download).toMatchObject({ status: 200, body: '', headers: { 'content-length': '0' } });
    await new Promise((resolve) => setImmediate(resolve));
    expect(closed()).toBe(true);
  });
});
