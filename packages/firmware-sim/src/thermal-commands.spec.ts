import { describe, expect, it } from 'vitest';
import { harness } from '../test/harness.js';

describe('thermal commands (marlin dialect)', () => {
  it('M105 with one hotend and a bed', () => {
    expect(harness().exchange('M105')).toEqual(['ok T:21.30 /0.00 B:21.30 /0.00 @:0 B@:0']);
  });

  it('M105 with two hotends', () => {
    expect(harness({ extruders: 2 }).exchange('M105')).toEqual([
      'ok T:21.30 /0.00 B:21.30 /0.00 T0:21.30 /0.00 T1:21.30 /0.00 @:0 B@:0 @0:0 @1:0',
    ]);
  });

  it('M105 with a chamber and without a bed', () => {
    expect(harness({ heatedChamber: true }).exchange('M105')).toEqual([
      'ok T:21.30 /0.00 B:21.30 /0.00 C:21.30 /0.00 @:0 B@:0 C@:0',
    ]);
    expect(harness({ heatedBed: false }).exchange('M105')).toEqual(['ok T:21.30 /0.00 @:0']);
  });

  it('M104 sets the target and M105 shows it', () => {
    const h = harness();
    expect(h.exchange('M104 S200')).toEqual(['ok']);
    expect(h.exchange('M140 S60')).toEqual(['ok']);
    expect(h.exchange('M105')).toEqual(['ok T:21.30 /200.00 B:21.30 /60.00 @:127 B@:127']);
    h.clock.advance(1000);
    expect(h.exchange('M105')).toEqual(['ok T:31.30 /200.00 B:31.30 /60.00 @:127 B@:127']);
  });

  it('M104 clamps to MAXTEMP - 15 and rejects an invalid tool', () => {
    const h = harness();
    h.send('M104 S400');
    expect(h.sim.temperatures.tools[0]?.target).toBe(260);
    expect(h.exchange('M104 T3 S200')).toEqual(['echo:M104 Invalid extruder 3', 'ok']);
  });

  it('M155 S2 auto-reports every 2 s with a leading space and no ok', () => {
    const h = harness();
    expect(h.exchange('M155 S2')).toEqual(['ok']);
    h.clock.advance(1999);
    expect(h.take()).toEqual([]);
    h.clock.advance(1);
    expect(h.take()).toEqual([' T:21.30 /0.00 B:21.30 /0.00 @:0 B@:0']);
    h.clock.advance(2000);
    expect(h.take()).toEqual([' T:21.30 /0.00 B:21.30 /0.00 @:0 B@:0']);
    h.send('M155 S0');
    h.take();
    h.clock.advance(10_000);
    expect(h.take()).toEqual([]);
  });

  it('M109 S210 from ambient takes about 19 s, reports every second and sends busy every 2 s', () => {
    const h = harness();
    const out = h.exchange('M109 S210');
    expect(out).toEqual([' T:21.30 /210.00 B:21.30 /0.00 @:127 B@:0']);
    h.clock.advance(2000);
    expect(h.take()).toEqual([
      ' T:31.30 /210.00 B:21.30 /0.00 @:127 B@:0',
      'echo:busy: processing',
      ' T:41.30 /210.00 B:21.30 /0.00 @:127 B@:0',
    ]);
    const elapsed = h.clock.runUntil(() => h.lines.at(-1) === 'ok', 60_000, 10);
    expect(2000 + elapsed).toBe(18_770);
    expect(h.lines.at(-2)).toBe(' T:201.30 /210.00 B:21.30 /0.00 @:127 B@:0');
    expect(h.sim.temperatures.tools[0]?.actual).toBeCloseTo(209, 5);
  });

  it('M109 with residency prints W:? then the countdown', () => {
    const h = harness({ tempResidencyTime: 3, ambient: 30 });
    h.send('M109 S40');
    expect(h.take()).toEqual([' T:30.00 /40.00 B:21.30 /0.00 @:127 B@:0 W:?'.replace('B:21.30', 'B:30.00')]);
    h.clock.runUntil(() => h.lines.at(-1) === 'ok', 60_000, 10);
    expect(h.take()).toEqual([
      ' T:39.10 /40.00 B:30.00 /0.00 @:32 B@:0 W:2',
      'echo:busy: processing',
      ' T:39.67 /40.00 B:30.00 /0.00 @:32 B@:0 W:1',
      ' T:39.88 /40.00 B:30.00 /0.00 @:32 B@:0 W:0',
      'ok',
    ]);
  });

  it('M109 S does not wait to cool down, R does', () => {
    const h = harness();
    h.send('M104 S100');
    h.clock.advance(10_000);
    h.take();
    expect(h.exchange('M109 S50')).toEqual(['ok']);
    h.send('M104 S100');
    h.clock.advance(10_000);
    h.take();
    const first = h.exchange('M109 R80');
    expect(first).toEqual([' T:100.00 /80.00 B:21.30 /0.00 @:0 B@:0'.replace('@:0 B', '@:32 B')]);
    h.clock.runUntil(() => h.lines.at(-1) === 'ok', 60_000, 10);
    expect(h.sim.temperatures.tools[0]?.actual).toBeLessThanOrEqual(81);
  });

  it('M190 S60 takes about 4 s', () => {
    const h = harness();
    expect(h.exchange('M190 S60')).toEqual([' T:21.30 /0.00 B:21.30 /60.00 @:0 B@:127']);
    const elapsed = h.clock.runUntil(() => h.lines.at(-1) === 'ok', 60_000, 10);
    expect(elapsed).toBe(3770);
  });

  it('M141/M191 drive the chamber; without one they are unknown', () => {
    const h = harness({ heatedChamber: true });
    expect(h.exchange('M141 S40')).toEqual(['ok']);
    expect(h.sim.temperatures.chamber?.target).toBe(40);
    expect(harness().exchange('M141 S40')).toEqual(['echo:Unknown command: "M141 S40"', 'ok']);
  });
});
