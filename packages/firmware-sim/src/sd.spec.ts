import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatLine } from './checksum.js';
import { harness } from '../test/harness.js';

const FILES = {
  'CUBE.GCO': 'G28\nG1 X10 F6000\n',
  'a long name.gcode': 'M104 S200 ; heat\n\nG1 X5 F600\nG1 X10\n',
  'sub/part.gco': 'G90\n',
};

describe('SD card (marlin)', () => {
  it('M20 lists 8.3 names with sizes; L adds the long name, T the FAT timestamp', () => {
    const h = harness({ sdFiles: FILES });
    expect(h.exchange('M20')).toEqual([
      'Begin file list',
      'CUBE.GCO 17',
      'ALONGN~1.GCO 36',
      'SUB/PART.GCO 4',
      'End file list',
      'ok',
    ]);
    expect(h.exchange('M20 L T')).toEqual([
      'Begin file list',
      'CUBE.GCO 17 0x58216000 CUBE.GCO',
      'ALONGN~1.GCO 36 0x58216000 a long name.gcode',
      'SUB/PART.GCO 4 0x58216000 part.gco',
      'End file list',
      'ok',
    ]);
  });

  it('M21/M22 mount and release; without media M20 says so', () => {
    const h = harness({ sdFiles: FILES });
    expect(h.exchange('M22')).toEqual(['echo:SD card released', 'ok']);
    expect(h.exchange('M20')).toEqual(['echo:No media', 'ok']);
    expect(h.exchange('M21')).toEqual(['echo:SD card ok', 'ok']);
    expect(harness({ sdCard: false }).exchange('M21')).toEqual(['echo:No SD card', 'ok']);
  });

  it('without SD support the SD commands are unknown', () => {
    expect(harness({ sdSupport: false }).exchange('M20')).toEqual(['echo:Unknown command: "M20"', 'ok']);
  });

  it('M23 selects a file, or fails', () => {
    const h = harness({ sdFiles: FILES });
    expect(h.exchange('M23 cube.gco')).toEqual([
      'echo:Now fresh file: cube.gco',
      'File opened: cube.gco Size: 17',
      'File selected',
      'ok',
    ]);
    expect(h.exchange('M23 nope.gco')).toEqual(['echo:Now fresh file: nope.gco', 'open failed, File: nope.gco.', 'ok']);
  });

  it('M24 prints the file to Done printing file; M27 reports progress', () => {
    const h = harness({ sdFiles: FILES });
    h.send('M23 ALONGN~1.GCO');
    expect(h.exchange('M27')).toEqual(['Not SD printing', 'ok']);
    // The ring (4) takes the whole file at once: M104 runs, both moves are planned, the file ends.
    expect(h.exchange('M24')).toEqual(['ok', 'Done printing file']);
    expect(h.sim.executed.filter((c) => c.source === 'sd').map((c) => c.command)).toEqual([
      'M104 S200',
      'G1 X5 F600',
      'G1 X10',
    ]);
    expect(h.exchange('M27')).toEqual(['Not SD printing', 'ok']);
  });

  it('M25 pauses, M27 shows the byte position, M24 resumes, M26 seeks', () => {
    const h = harness({ sdFiles: { 'slow.gco': 'G4 S1\n'.repeat(10) } });
    const sdRan = (): number => h.sim.executed.filter((c) => c.source === 'sd').length;
    h.send('M23 slow.gco');
    h.send('M24');
    h.take();
    // M25 waits in the RX buffer until the ring (full of SD lines) has room, as in Marlin.
    h.send('M25');
    h.clock.advance(20_000);
    // M25 entered the ring behind three SD lines, and three more were read before it ran.
    expect(sdRan()).toBe(7);
    expect(h.exchange('M27')).toEqual(['SD printing byte 42/60', 'ok']);
    h.send('M24');
    h.clock.advance(20_000);
    expect(sdRan()).toBe(10);
    expect(h.take()).toEqual(['ok', 'Done printing file']);
    h.send('M23 slow.gco');
    h.send('M26 S54');
    h.send('M24');
    h.clock.advance(2000);
    expect(sdRan()).toBe(11);
  });

  it('M27 S1 auto-reports the SD status every second', () => {
    const h = harness({ sdFiles: { 'slow.gco': 'G4 S1\nG4 S1\nG4 S1\nG4 S1\nG4 S1\nG4 S1\n' } });
    h.send('M27 S1');
    h.send('M23 slow.gco');
    h.send('M24');
    h.take();
    h.clock.advance(1000);
    expect(h.take()).toEqual(['SD printing byte 24/36']);
    h.send('M524');
    h.clock.advance(10_000);
    const rest = h.take();
    expect(rest.filter((l) => l === 'Not SD printing').length).toBeGreaterThan(0);
    expect(rest).not.toContain('Done printing file');
  });

  it('M28 writes numbered lines (without N and checksum), M29 closes, M30 deletes', () => {
    const h = harness();
    h.send(formatLine(0, 'M110 N0'));
    expect(h.exchange(formatLine(1, 'M28 new.gco'))).toEqual(['Writing to file: new.gco', 'ok']);
    expect(h.exchange(formatLine(2, 'G28'))).toEqual(['ok']);
    expect(h.exchange(formatLine(3, 'G1 X10'))).toEqual(['ok']);
    expect(h.exchange('G1 X20')).toEqual(['Error:No Checksum with line number, Last Line: 3', 'Resend: 4', 'ok']);
    expect(h.exchange(formatLine(4, 'M29'))).toEqual(['Done saving file.', 'ok']);
    expect(h.sim.sdFiles['new.gco']).toBe('G28\r\nG1 X10\r\n');
    expect(h.sim.executed.map((c) => c.command)).toEqual(['M110 N0', 'M28 new.gco']);
    expect(h.exchange('M30 new.gco')).toEqual(['File deleted:new.gco', 'ok']);
    expect(h.exchange('M30 new.gco')).toEqual(['Deletion failed, File: new.gco.', 'ok']);
  });

  it('can be backed by a folder', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sim-sd-'));
    try {
      writeFileSync(join(dir, 'box.gco'), 'G28\n');
      const h = harness({ sdFolder: dir });
      expect(h.exchange('M20')).toEqual(['Begin file list', 'BOX.GCO 4', 'End file list', 'ok']);
      h.send('M28 out.gco');
      h.sendN(1, 'M105');
      h.send('M29');
      expect(readFileSync(join(dir, 'out.gco'), 'utf8')).toBe('M105\r\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
