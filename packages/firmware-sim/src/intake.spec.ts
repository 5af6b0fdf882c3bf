import { describe, expect, it } from 'vitest';
import { formatLine } from './checksum.js';
import { VirtualClock } from './clock.js';
import { MarlinSim } from './sim.js';
import { harness } from '../test/harness.js';

const BANNER = [
  'start',
  'echo: External Reset',
  'Marlin 2.1.2.1',
  'echo: Last Updated: 2024-01-01 | Author: (none, default config)',
  'echo: Compiled: Jan  1 2024',
  'echo: Free Memory: 4937  PlannerBufferBytes: 1408',
  'echo:  G21    ; Units in mm (mm)',
  'echo:  M149 C ; Units in Celsius',
  'echo:; Steps per unit:',
  'echo:  M92 X80.00 Y80.00 Z400.00 E93.00',
  'echo:SD card ok',
];

describe('boot', () => {
  it('sends the banner when the port opens with reset-on-open', () => {
    const h = harness({ resetOnOpen: true });
    expect(h.take()).toEqual(BANNER);
  });

  it('says No SD card in the banner without a card', () => {
    const h = harness({ resetOnOpen: true, sdCard: false });
    expect(h.take().at(-1)).toBe('echo:No SD card');
  });

  it('sends nothing on open for a native-USB board and answers M110', () => {
    const h = harness({ resetOnOpen: false });
    expect(h.take()).toEqual([]);
    expect(h.exchange('N0 M110 N0*125')).toEqual(['ok']);
  });

  it('drops every byte received during the boot window, then greets', () => {
    const h = harness({ resetOnOpen: true, bootMs: 1500 });
    expect(h.sim.state).toBe('booting');
    expect(h.send('N0 M110 N0*125')).toBe(15);
    expect(h.send('N0 M110 N0*125')).toBe(15);
    expect(h.take()).toEqual([]);
    h.clock.advance(1500);
    expect(h.take()).toEqual(BANNER);
    expect(h.exchange('N0 M110 N0*125')).toEqual(['ok']);
    expect(h.sim.executed.map((c) => c.command)).toEqual(['M110 N0']);
  });

  it('resets last N to 0 on reset', () => {
    const h = harness();
    h.sendN(1, 'G90');
    expect(h.sim.lastLineNumber).toBe(1);
    h.sim.reset();
    expect(h.take().slice(-11)).toEqual(BANNER);
    expect(h.sim.lastLineNumber).toBe(0);
  });
});

describe('line intake (§1.2)', () => {
  it('acknowledges the double hello', () => {
    const h = harness();
    h.send('N0 M110 N0*125');
    h.send('N0 M110 N0*125');
    expect(h.take()).toEqual(['ok', 'ok']);
  });

  it('reports a line-number error with resend and ok', () => {
    const h = harness();
    h.sendN(1, 'G90');
    expect(h.exchange(formatLine(3, 'G90'))).toEqual([
      'Error:Line Number is not Last Line Number+1, Last Line: 1',
      'Resend: 2',
      'ok',
    ]);
  });

  it('treats a duplicate line (N == last N) as a line-number error', () => {
    const h = harness();
    h.sendN(1, 'G1 X1');
    h.take();
    h.sendN(1, 'G1 X1');
    expect(h.take()).toEqual(['Error:Line Number is not Last Line Number+1, Last Line: 1', 'Resend: 2', 'ok']);
    expect(h.sim.executed).toHaveLength(1);
  });

  it('reports a checksum mismatch', () => {
    const h = harness();
    expect(h.exchange('N1 G1 X10*0')).toEqual(['Error:checksum mismatch, Last Line: 0', 'Resend: 1', 'ok']);
    expect(h.sim.executed).toHaveLength(0);
  });

  it('reports a numbered line without checksum', () => {
    const h = harness();
    expect(h.exchange('N1 G1 X10')).toEqual(['Error:No Checksum with line number, Last Line: 0', 'Resend: 1', 'ok']);
  });

  it('flushes the RX buffer on an error, so lines sent ahead are lost', () => {
    const h = harness();
    h.sim.receive(`N1 G1 X1*0\n${formatLine(2, 'G1 X2')}\n`);
    expect(h.take()).toEqual(['Error:checksum mismatch, Last Line: 0', 'Resend: 1', 'ok']);
    expect(h.sim.executed).toHaveLength(0);
  });

  it('skips the +1 check for M110 lines and takes the N after M110', () => {
    const h = harness();
    h.sendN(1, 'G90');
    h.take();
    expect(h.exchange(formatLine(7, 'M110 N41'))).toEqual(['ok']);
    expect(h.sim.lastLineNumber).toBe(41);
    expect(h.exchange(formatLine(42, 'G90'))).toEqual(['ok']);
  });

  it('sets last N from a bare M110 N<x>', () => {
    const h = harness();
    h.send('M110 N99');
    expect(h.sim.lastLineNumber).toBe(99);
  });

  it('never checks unnumbered lines, even with a bad checksum', () => {
    const h = harness();
    expect(h.exchange('G90*1')).toEqual(['ok']);
    expect(h.sim.executed.map((c) => c.command)).toEqual(['G90']);
  });

  it('strips comments and skips empty lines', () => {
    const h = harness();
    h.sim.receive('G1 X5 ; move\n\n\r\n; only a comment\n   \nM105 ;\\; escaped\n');
    expect(h.take()).toEqual(['ok', 'ok T:21.30 /0.00 B:21.30 /0.00 @:0 B@:0']);
    expect(h.sim.executed.map((c) => c.command)).toEqual(['G1 X5', 'M105']);
  });

  it('truncates a line at MAX_CMD_SIZE (95 characters kept), so a long checksummed line is rejected', () => {
    const h = harness();
    // '*' beyond the limit: the checksum is cut off entirely.
    const long = formatLine(1, `M117 ${'x'.repeat(110)}`);
    expect(h.exchange(long)).toEqual(['Error:No Checksum with line number, Last Line: 0', 'Resend: 1', 'ok']);
    // '*' at index 93: only the first checksum digit survives.
    const cut = formatLine(1, `M117 ${'x'.repeat(85)}`);
    expect(cut.indexOf('*')).toBe(93);
    expect(cut.length).toBeGreaterThan(95);
    expect(h.exchange(cut)).toEqual(['Error:checksum mismatch, Last Line: 0', 'Resend: 1', 'ok']);
    // Exactly 95 characters still fit.
    const fits = formatLine(1, `M117 ${'x'.repeat(84)}`);
    expect(fits.length).toBeLessThanOrEqual(95);
    expect(h.exchange(fits)).toEqual(['ok']);
  });

  it('accepts CR as end of line', () => {
    const h = harness();
    h.sim.receive('M105\r');
    expect(h.take()).toEqual(['ok T:21.30 /0.00 B:21.30 /0.00 @:0 B@:0']);
  });

  it('parses a numbered line and logs it in the oracle', () => {
    const h = harness();
    h.sendN(1, 'G1 X10');
    expect(h.sim.executed).toEqual([{ lineNumber: 1, command: 'G1 X10', time: 0, source: 'serial' }]);
  });
});

describe('buffers', () => {
  it('holds the ok back while the planner is full', () => {
    const h = harness();
    // 10 mm at 600 mm/min = 1 s per move; 15 usable planner blocks.
    const oks = (): number => h.lines.filter((l) => l === 'ok').length;
    for (let i = 1; i <= 15; i++) h.sendN(i, `G1 X${i * 10} F600`);
    expect(oks()).toBe(15);
    expect(h.sim.plannerMoves).toBe(15);
    h.sendN(16, 'G1 X160 F600');
    expect(oks()).toBe(15);
    h.clock.advance(999);
    expect(oks()).toBe(15);
    h.clock.advance(1);
    expect(oks()).toBe(16);
    h.sendN(17, 'G1 X170 F600');
    expect(oks()).toBe(16);
    h.clock.advance(1000);
    expect(oks()).toBe(17);
    expect(h.sim.executed.map((c) => c.lineNumber)).toEqual(Array.from({ length: 17 }, (_, i) => i + 1));
  });

  it('applies backpressure in bytes while a command blocks (RX 127 bytes)', () => {
    const h = harness();
    h.send('M109 S200');
    // The command ring (4) takes 4 lines first, then the RX buffer holds 127 bytes.
    const line = 'G1 X1.000 Y1.000\n'; // 17 bytes
    let accepted = 0;
    for (let i = 0; i < 20; i++) accepted += h.sim.receive(line);
    expect(accepted).toBe(127);
    expect(h.sim.rxFree).toBe(0);
    expect(h.sim.receive(line)).toBe(0);
  });

  it('drains the RX buffer only when the ring has room', () => {
    const h = harness({ rxBufferSize: 20, bufsize: 1 });
    h.send('G4 S1');
    expect(h.sim.receive('M105\nM105\nM105\nM105\nM105\nM105\n')).toBe(20);
    expect(h.take()).toEqual([]);
    h.clock.advance(1000);
    expect(h.take()).toEqual([
      'ok',
      'ok T:21.30 /0.00 B:21.30 /0.00 @:0 B@:0',
      'ok T:21.30 /0.00 B:21.30 /0.00 @:0 B@:0',
      'ok T:21.30 /0.00 B:21.30 /0.00 @:0 B@:0',
      'ok T:21.30 /0.00 B:21.30 /0.00 @:0 B@:0',
    ]);
  });

  it('times arcs from their length and splits them into planner blocks', () => {
    const h = harness();
    h.send('G1 X10 Y0 F6000');
    h.clock.advance(1000);
    // Half circle of radius 10: 31.4 mm in 32 segments (chords) at 10 mm/s; the ok comes when the 32nd segment
    // gets a planner block, i.e. after 17 segments have run.
    expect(h.exchange('G2 X-10 Y0 I-10 J0 F600')).toEqual([]);
    expect(h.sim.plannerMoves).toBe(15);
    const oks = h.lines.length;
    const elapsed = h.clock.runUntil(() => h.lines.length > oks, 10_000, 1);
    expect(h.lines.at(-1)).toBe('ok');
    expect(h.sim.position.x).toBeCloseTo(-10, 6);
    expect(h.sim.position.y).toBeCloseTo(0, 6);
    expect(elapsed).toBeCloseTo(((17 * 2 * 10 * Math.sin(Math.PI / 64)) / 10) * 1000, 6); // chords
    h.clock.advance(2000);
    expect(h.sim.plannerMoves).toBe(0);
  });
});

describe('clock robustness', () => {
  it('keeps going when a timer fires before its time (as real timers can)', () => {
    // A virtual clock whose timers fire 0.5 ms early.
    const inner = new VirtualClock();
    const early = {
      now: () => inner.now(),
      setTimeout: (fn: () => void, ms: number) => inner.setTimeout(fn, ms >= 1 ? ms - 0.5 : ms),
      clearTimeout: (handle: unknown) => inner.clearTimeout(handle),
    };
    const sim = new MarlinSim({ clock: early, resetOnOpen: false });
    const out: string[] = [];
    sim.onOutput((c) => out.push(c));
    sim.open();
    sim.receive('G4 P10\n');
    inner.advance(20);
    expect(out).toEqual(['ok\n']);
  });
});
