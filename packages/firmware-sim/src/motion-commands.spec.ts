import { describe, expect, it } from 'vitest';
import { harness } from '../test/harness.js';

describe('motion commands (marlin dialect)', () => {
  it('M114 reports the position, then ok', () => {
    const h = harness();
    h.send('G1 X10 Y20.5 Z0.3 E1 F6000');
    h.clock.advance(5000);
    expect(h.exchange('M114')).toEqual(['X:10.00 Y:20.50 Z:0.30 E:1.00 Count X:800 Y:1640 Z:120', 'ok']);
  });

  it('G91 relative moves, G92 sets the position, M83 relative E', () => {
    const h = harness();
    h.send('G91');
    h.send('G1 X5');
    h.send('G1 X5');
    h.send('G90');
    h.send('G92 E0');
    h.send('M83');
    h.send('G1 E2');
    h.send('G1 E2');
    expect(h.sim.position).toEqual({ x: 10, y: 0, z: 0, e: 4 });
  });

  it('T<n> selects a tool or reports an invalid one', () => {
    const h = harness({ extruders: 2 });
    expect(h.exchange('T1')).toEqual(['echo:Active Extruder: 1', 'ok']);
    expect(h.sim.activeExtruder).toBe(1);
    expect(h.exchange('T3')).toEqual(['echo:T3 Invalid extruder', 'ok']);
    expect(h.exchange('M105')).toEqual([
      'ok T:21.30 /0.00 B:21.30 /0.00 T0:21.30 /0.00 T1:21.30 /0.00 @:0 B@:0 @0:0 @1:0',
    ]);
  });

  it('G28 homes, reports the position and acknowledges', () => {
    const h = harness();
    h.send('G1 X50 F6000');
    h.clock.advance(2000);
    h.take();
    expect(h.exchange('G28')).toEqual([]);
    h.clock.advance(999);
    expect(h.take()).toEqual([]);
    h.clock.advance(1);
    expect(h.take()).toEqual(['X:0.00 Y:0.00 Z:0.00 E:0.00 Count X:0 Y:0 Z:0', 'ok']);
  });

  it('M400 waits for the planner to empty', () => {
    const h = harness();
    h.send('G1 X100 F600');
    h.take();
    expect(h.exchange('M400')).toEqual([]);
    h.clock.advance(9999);
    expect(h.take()).toEqual([
      'echo:busy: processing',
      'echo:busy: processing',
      'echo:busy: processing',
      'echo:busy: processing',
    ]);
    h.clock.advance(1);
    expect(h.take()).toEqual(['ok']);
  });

  it('M220/M221 set and report feed rate and flow', () => {
    const h = harness();
    expect(h.exchange('M220')).toEqual(['echo:FR:100%', 'ok']);
    expect(h.exchange('M220 S150')).toEqual(['ok']);
    expect(h.exchange('M220')).toEqual(['echo:FR:150%', 'ok']);
    expect(h.exchange('M221 S95')).toEqual(['ok']);
    expect(h.exchange('M221')).toEqual(['echo:E0 Flow: 95%', 'ok']);
  });
});
