import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { stateFlags } from './comm-state.js';
import { HostPrintJob, type PrintJobHost, renderScript } from './host-print-job.js';
import type { PrinterStateId } from './printer-comm.types.js';

describe('renderScript', () => {
  it('fills in the pause position, drops comments and blank lines', () => {
    const script =
      'G91 ; relative\n\nG1 Z5\nG90\nG1 X{{ pause_position.x }} Y{{pause_position.y}} E{{ pause_position.e }}';
    expect(renderScript(script, { x: 10, y: 20.5, z: 0.3, e: 4 })).toEqual(['G91', 'G1 Z5', 'G90', 'G1 X10 Y20.5 E4']);
  });

  it('leaves out lines that need a position when none was captured', () => {
    expect(renderScript('M117 paused\nG1 X{{ pause_position.x }}', undefined)).toEqual(['M117 paused']);
  });
});

describe('HostPrintJob heat-up time', () => {
  it('counts the time from a file heat-up command going out to its ok, and nothing else', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'hotend-heatup-'));
    const file = join(folder, 'heat.gcode');
    writeFileSync(file, 'G28\nM109 S200 ; wait\nG1 X1\nM190 S60\nG1 X2\n');
    let now = 0;
    let state: PrinterStateId = 'OPERATIONAL';
    let source: { next(): string | undefined; accepted?(line: string): void } | undefined;
    const host: PrintJobHost = {
      get status() {
        return { id: state, text: state, flags: stateFlags(state, { sdReady: false }) };
      },
      extruderCount: 1,
      sdProgress: undefined,
      send: () => Promise.resolve(),
      setLineSource: (next) => (source = next),
      wake: () => undefined,
      setJobState: (next) => (state = next),
      onState: () => () => undefined,
      onPosition: () => () => undefined,
      now: () => now,
      setTimeout: () => undefined,
      clearTimeout: () => undefined,
      log: () => undefined,
    };
    const scripts = {
      beforePrintStarted: '',
      afterPrintDone: '',
      afterPrintCancelled: '',
      afterPrintPaused: '',
      beforePrintResumed: '',
    };
    const job = new HostPrintJob(
      host,
      { file, path: 'heat.gcode', scripts, logPositionOnPause: false },
      () => undefined,
    );
    try {
      await job.start();
      await vi.waitFor(() => expect(source).toBeDefined());
      /** Draws the next line at `sentAt` and acknowledges it at `okAt`. */
      const exchange = (sentAt: number, okAt: number): string | undefined => {
        now = sentAt;
        const line = source?.next();
        now = okAt;
        if (line !== undefined) source?.accepted?.(line);
        return line;
      };
      expect(exchange(1000, 1100)).toBe('G28');
      now = 2000;
      expect(source?.next()).toBe('M109 S200');
      now = 32_000;
      expect(job.progress.heatupTime).toBe(30);
      source?.accepted?.('M109 S200');
      expect(exchange(33_000, 33_010)).toBe('G1 X1');
      expect(exchange(34_000, 44_000)).toBe('M190 S60');
      expect(exchange(45_000, 45_010)).toBe('G1 X2');
      expect(job.progress.heatupTime).toBe(40);
      expect(job.progress.printTime).toBeCloseTo(45.01, 6);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
