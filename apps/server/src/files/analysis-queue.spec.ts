import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AnalysisQueue } from './analysis-queue.js';

const folders: string[] = [];
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

describe('AnalysisQueue', () => {
  it('stops a background analysis for an upload, then runs the background one again to its end', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'hotend-analysis-'));
    folders.push(folder);
    writeFileSync(join(folder, 'old.gcode'), 'G1 X10 E1 F600\n'.repeat(100_000));
    writeFileSync(join(folder, 'new.gcode'), 'G1 X5 E2 F600\n');
    const results: string[] = [];
    const started: string[] = [];
    const queue = new AnalysisQueue({
      defaultFeedrate: 6000,
      holdBack: () => false,
      onResult: (path) => results.push(path),
      onStart: (path) => started.push(path),
    });
    try {
      queue.enqueue({ path: 'old.gcode', file: join(folder, 'old.gcode') }, false);
      queue.enqueue({ path: 'new.gcode', file: join(folder, 'new.gcode') }, true);
      await queue.whenIdle();
      expect(results).toEqual(['new.gcode', 'old.gcode']);
      expect(started).toEqual(['old.gcode', 'new.gcode', 'old.gcode']);
    } finally {
      await queue.close();
    }
  }, 30_000);

  it('lets a running upload analysis finish before the next upload', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'hotend-analysis-'));
    folders.push(folder);
    writeFileSync(join(folder, 'a.gcode'), 'G1 X10 E1 F600\n'.repeat(10_000));
    writeFileSync(join(folder, 'b.gcode'), 'G1 X5 E2 F600\n');
    const results: string[] = [];
    const queue = new AnalysisQueue({
      defaultFeedrate: 6000,
      holdBack: () => false,
      onResult: (path) => results.push(path),
    });
    try {
      queue.enqueue({ path: 'a.gcode', file: join(folder, 'a.gcode') }, true);
      queue.enqueue({ path: 'b.gcode', file: join(folder, 'b.gcode') }, true);
      await queue.whenIdle();
      expect(results).toEqual(['a.gcode', 'b.gcode']);
    } finally {
      await queue.close();
    }
  }, 30_000);
});
