import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ActiveLogFile, FLUSH_DELAY_MS } from './log-file.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits (up to `limitMs`) until `done` holds; false when it never did. */
async function eventually(done: () => boolean, limitMs: number): Promise<boolean> {
  for (const until = Date.now() + limitMs; Date.now() < until; await sleep(10)) if (done()) return true;
  return done();
}

describe('ActiveLogFile', () => {
  let folder: string;
  let file: ActiveLogFile;

  beforeEach(() => {
    folder = mkdtempSync(join(tmpdir(), 'hotend-logfile-'));
    file = new ActiveLogFile(folder, 'hotend.log');
  });
  afterEach(() => {
    file.close();
    rmSync(folder, { recursive: true, force: true });
  });

  const content = (): string => readFileSync(file.path, 'utf8');

  it('has no flush pending while nothing was written', async () => {
    expect(file.flushPending).toBe(false);
    await sleep(FLUSH_DELAY_MS * 2);
    expect(file.flushPending).toBe(false);
    expect(content()).toBe('');
  });

  it('writes a line smaller than the buffer out on its own, then goes idle again', async () => {
    file.write('one short line\n');
    expect(file.flushPending).toBe(true);
    expect(content()).toBe('');
    // Nobody calls flush(): the timer armed by the write does.
    expect(await eventually(() => content() === 'one short line\n', 10 * FLUSH_DELAY_MS)).toBe(true);
    expect(await eventually(() => !file.flushPending, 10 * FLUSH_DELAY_MS)).toBe(true);
    await sleep(FLUSH_DELAY_MS * 2);
    expect(file.flushPending).toBe(false);
  });

  it('keeps flushing while lines keep coming and loses none', async () => {
    const written: string[] = [];
    for (let burst = 0; burst < 5; burst += 1) {
      for (let line = 0; line < 200; line += 1) {
        const text = `burst ${burst} line ${line} ${'x'.repeat(line % 90)}\n`;
        written.push(text);
        file.write(text);
      }
      await sleep(FLUSH_DELAY_MS / 3);
    }
    expect(await eventually(() => content() === written.join(''), 20 * FLUSH_DELAY_MS)).toBe(true);
    expect(await eventually(() => !file.flushPending, 10 * FLUSH_DELAY_MS)).toBe(true);
  });

  it('writes out what was buffered before a reopen into the old file, and arms the timer for the new one', async () => {
    file.write('before\n');
    rmSync(file.path);
    expect(file.reopenIfMissing()).toBe(true);
    file.write('after\n');
    expect(await eventually(() => content() === 'after\n', 10 * FLUSH_DELAY_MS)).toBe(true);
    expect(await eventually(() => !file.flushPending, 10 * FLUSH_DELAY_MS)).toBe(true);
  });
});
