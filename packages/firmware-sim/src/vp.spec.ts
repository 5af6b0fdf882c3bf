import { describe, expect, it } from 'vitest';
import { formatLine } from './checksum.js';
import { harness } from '../test/harness.js';

const vp = (options: Parameters<typeof harness>[0] = {}) =>
  harness({ dialect: 'octoprint-vp', idleWaitMs: 0, ...options });

describe('octoprint-vp dialect', () => {
  it('boots with the VP banner, including the \\x80 garbage byte', () => {
    const h = vp({ resetOnOpen: true });
    expect(h.take()).toEqual(['start', 'Marlin: Virtual Marlin!', '\x80', 'SD card ok']);
  });

  it('M105 uses "/ " spacing and a fixed @:64', () => {
    expect(vp().exchange('M105')).toEqual(['ok T:21.30/ 0.00 B:21.30/ 0.00 @:64']);
    expect(vp({ extruders: 2 }).exchange('M105')).toEqual([
      'ok T:21.30/ 0.00 T0:21.30/ 0.00 T1:21.30/ 0.00 B:21.30/ 0.00 @:64',
    ]);
  });

  it('M155 autoreport has no ok and no leading space', () => {
    const h = vp();
    h.send('M155 S1');
    h.take();
    h.clock.advance(1000);
    expect(h.take()).toEqual(['T:21.30/ 0.00 B:21.30/ 0.00 @:64']);
  });

  it('M114 is on the ok line', () => {
    const h = vp();
    h.send('G1 X10 Y2 F6000');
    h.clock.advance(1000);
    expect(h.exchange('M114')).toEqual(['ok X:10.00 Y:2.00 Z:0.00 E:0.00 Count: A:1000 B:200 C:0']);
  });

  it('M115 reports Virtual Marlin and its capabilities', () => {
    expect(vp().exchange('M115')).toEqual([
      'FIRMWARE_NAME:Virtual Marlin 1.0 PROTOCOL_VERSION:1.0',
      'Cap:AUTOREPORT_TEMP:1',
      'Cap:AUTOREPORT_SD_STATUS:1',
      'Cap:AUTOREPORT_POS:0',
      'Cap:BUSY_PROTOCOL:0',
      'Cap:CHAMBER_TEMPERATURE:0',
      'Cap:EMERGENCY_PARSER:1',
      'Cap:EXTENDED_M20:0',
      'Cap:LFN_WRITE:0',
      'ok',
    ]);
  });

  it('T<n> without echo:, invalid with a trailing space', () => {
    const h = vp({ extruders: 2 });
    expect(h.exchange('T1')).toEqual(['Active Extruder: 1', 'ok']);
    expect(h.exchange('T3')).toEqual(['echo:T3 Invalid extruder ', 'ok']);
  });

  it('unknown commands just get ok; F alone is an error', () => {
    const h = vp();
    expect(h.exchange('G12345')).toEqual(['ok']);
    expect(h.exchange('F3000')).toEqual(['Error: Unknown command F', 'ok']);
    expect(h.exchange('version')).toEqual(['OctoPrint VirtualPrinter v1.11.2']);
  });

  it('line errors use the VP wording, "Error: " and "Resend:N"', () => {
    const h = vp();
    h.sendN(1, 'G90');
    expect(h.exchange(formatLine(3, 'G90'))).toEqual(['Error: expected line 2 got 3', 'Resend:2', 'ok']);
    expect(h.exchange('N2 G90*1')).toEqual(['Error: Checksum mismatch', 'Resend:2', 'ok']);
    expect(h.exchange('N2 G90')).toEqual(['Error: Missing checksum', 'Resend:2', 'ok']);
  });

  it('M117 echoes, M999 sends "Resend: 1" and one ok', () => {
    const h = vp();
    expect(h.exchange('M117 Hello')).toEqual(['echo:Hello', 'ok']);
    expect(h.exchange('M999')).toEqual(['Resend: 1', 'ok']);
  });

  it('M109 reports the actual temperature only, every second, and ends within 1 degree', () => {
    const h = vp();
    expect(h.exchange('M109 S60')).toEqual(['T:21.30']);
    h.clock.runUntil(() => h.lines.at(-1) === 'ok', 60_000, 10);
    expect(h.take()).toEqual(['T:31.30', 'T:41.30', 'T:51.30', 'ok']);
  });

  it('G4 sends busy:processing only with sendBusy', () => {
    const h = vp({ sendBusy: true });
    h.send('G4 S3');
    h.clock.advance(3000);
    expect(h.take()).toEqual(['busy:processing', 'ok']);
    const quiet = vp();
    quiet.send('G4 S3');
    quiet.clock.advance(3000);
    expect(quiet.take()).toEqual(['ok']);
  });

  it('M112 is caught on write: EMERGENCY SHUTDOWN, then nothing', () => {
    const h = vp();
    h.send('M109 S200');
    h.take();
    h.send('M112');
    expect(h.take()).toEqual(['echo:EMERGENCY SHUTDOWN DETECTED. KILLED.']);
    h.clock.advance(5000);
    expect(h.exchange('M105')).toEqual([]);
  });

  it('sends wait every second without incoming data (VP default)', () => {
    const h = harness({ dialect: 'octoprint-vp' });
    h.clock.advance(2000);
    expect(h.take()).toEqual(['wait', 'wait']);
  });

  it('SD: lower-case names, quoted long names, two spaces before Size, no dot after saving, silent M30', () => {
    const h = vp({ sdFiles: { 'Big Part.gcode': 'G28\n' } });
    expect(h.exchange('M20 L')).toEqual(['Begin file list', 'bigpar~1.gco 4 "Big Part.gcode"', 'End file list', 'ok']);
    expect(h.exchange('M23 bigpar~1.gco')).toEqual(['File opened: Big Part.gcode  Size: 4', 'File selected', 'ok']);
    h.send('M28 x.gco');
    h.sendN(1, 'G28');
    expect(h.exchange('M29')).toEqual(['Done saving file', 'ok']);
    expect(h.exchange('M30 x.gco')).toEqual(['ok']);
    expect(h.exchange('M22')).toEqual(['ok']);
  });
});
