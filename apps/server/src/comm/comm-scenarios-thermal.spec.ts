import { describe, expect, it } from 'vitest';
import { moves, stream, useCommRig } from '../../test/comm-helpers.js';

// marlin-protocol.md §4, temperatures, heat-ups and long-running commands: #7-#11 (#9: M108/M410 jump the queue
// only with EMERGENCY_PARSER), the NUL-byte warning (§3.10) and G28/M400 behind queued moves (§3.7).
// Each runs PrinterComm against the simulator over SerialPortStream on a virtual clock (see test/comm-helpers.ts).

const start = useCommRig();

describe('temperatures', () => {
  it('warns about a NUL byte in a received line and still parses the rest', async () => {
    const r = start({ resetOnOpen: false, extendedCapabilities: false });
    await r.connect();
    r.sim.faults.send(' T:150.20 /0.00\0 B:60.10 /0.00 @:0 B@:0');
    await r.run(20);
    expect(r.warnings).toContain(
      'Received line contains at least one null byte character at position 15, this hints at some data corruption going on',
    );
    expect(r.comm.heaters).toMatchObject({ tool0: { actual: 150.2 }, bed: { actual: 60.1 } });
  });
  it('#7 parses every report format into canonical heaters', async () => {
    const r = start({ resetOnOpen: false, extendedCapabilities: false, extruders: 2 });
    await r.connect();
    const samples: unknown[] = [];
    r.comm.events.on('temperature', (sample: unknown) => samples.push(sample));
    const inject = async (line: string): Promise<void> => {
      r.sim.faults.send(line);
      await r.run(20);
    };
    await inject(' T:21.30 /0.00 B:21.30 /0.00 @:0 B@:0');
    expect(r.comm.heaters).toMatchObject({ tool0: { actual: 21.3, target: 0 }, bed: { actual: 21.3, target: 0 } });
    await inject('ok T:150.5/200 B:60.1/60');
    expect(r.comm.heaters).toMatchObject({ tool0: { actual: 150.5, target: 200 }, bed: { actual: 60.1, target: 60 } });
    // No target: the previous one stays.
    await inject('T:180.2 B:59');
    expect(r.comm.heaters).toMatchObject({ tool0: { actual: 180.2, target: 200 }, bed: { actual: 59, target: 60 } });
    await inject(' T:30 /0 T0:30 /0 T1:45.5 /210 B:22 /0');
    expect(r.comm.heaters).toMatchObject({
      tool0: { actual: 30, target: 0 },
      tool1: { actual: 45.5, target: 210 },
      bed: { actual: 22, target: 0 },
    });
    await inject('T0:31 /0 T1:46 /210 B:23 /0 P:25 /0');
    expect(r.comm.heaters).toMatchObject({ tool0: { actual: 31 }, tool1: { actual: 46 } });
    expect(Object.keys(r.comm.heaters).sort()).toEqual(['bed', 'tool0', 'tool1']);
    // Chamber only counts when the printer has one (profile or capability).
    await inject(' T:31 /0 B:23 /0 C:35 /40');
    expect(r.comm.heaters['chamber']).toBeUndefined();
    // Every report is a sample for the history (PrinterCommService keeps it).
    expect(samples).toHaveLength(6);
  });

  it('#7 reads the chamber when the profile has one', async () => {
    const r = start(
      { resetOnOpen: false, heatedChamber: true },
      {
        profile: { extruders: 1, heatedBed: true, heatedChamber: true },
      },
    );
    await r.connect();
    r.sim.faults.send(' T:21.30 /0.00 B:21.30 /0.00 C:35.00 /40.00 @:0 B@:0');
    await r.run(20);
    expect(r.comm.heaters['chamber']).toEqual({ actual: 35, target: 40 });
  });

  it('#8 waits through a blocking heat-up without a timeout; user commands queue behind it', async () => {
    const r = start({ resetOnOpen: false, tempResidencyTime: 3 });
    await r.connect();
    let heated = false;
    let later = false;
    r.comm.send('M109 S200').then(() => (heated = true));
    await r.run(100);
    r.comm.send('M117 queued').then(() => (later = true));
    await r.until(() => heated && later, 120_000, 100);
    const executed = r.executedCommands();
    expect(executed.filter((c) => c === 'M109 S200' || c === 'M117 queued')).toEqual(['M109 S200', 'M117 queued']);
    expect(r.warnings.filter((w) => /timeout/i.test(w))).toEqual([]);
    expect(r.comm.status.id).toBe('OPERATIONAL');
  });
});

describe('heat-up that never ends', () => {
  it('#9 keeps waiting for an unreachable target; M108 waits in the queue without EMERGENCY_PARSER', async () => {
    const r = start({ resetOnOpen: false });
    await r.connect();
    r.sim.faults.pinTemp('T0', 150);
    let heated = false;
    r.comm.send('M109 S200').then(
      () => (heated = true),
      () => undefined,
    );
    await r.run(60_000, 500);
    const mark = r.wire.length;
    r.comm.send('M108').catch(() => undefined);
    await r.run(10_000, 500);
    expect(heated).toBe(false);
    expect(r.wire.slice(mark)).toEqual([]);
    expect(r.comm.status.id).toBe('OPERATIONAL');
    expect(r.comm.heaters['tool0']).toEqual({ actual: 150, target: 200 });
    expect(r.warnings).toEqual([]);
  });

  it('#9 force-sends M108 past the running heat-up when the firmware has an emergency parser', async () => {
    const r = start({ resetOnOpen: false, emergencyParser: true });
    await r.connect();
    expect(r.comm.firmwareModel.capabilityMap.get('EMERGENCY_PARSER')).toBe(true);
    r.sim.faults.pinTemp('T0', 150);
    let heated = false;
    r.comm.send('M109 S200').then(() => (heated = true));
    await r.run(30_000, 500);
    expect(heated).toBe(false);
    const mark = r.wire.length;
    await stream(r, ['M108'], 10_000, 50);
    expect(heated).toBe(true);
    // M108 went out at once; M113 S2 (queued after the first busy line) only after M109's ok.
    expect(r.wire.slice(mark).map((line) => line.replace(/^N\d+ /, '').replace(/\*\d+$/, ''))).toEqual([
      'M108',
      'M113 S2',
    ]);
    expect(r.comm.status.id).toBe('OPERATIONAL');
    await stream(r, moves(2));
    expect(r.executedCommands().slice(-2)).toEqual(moves(2));
  });
});

describe('busy protocol and timeouts', () => {
  it('#10 sends M113 S2 after the first busy line, and a long G28 never times out', async () => {
    const r = start({ resetOnOpen: false, homingMs: 10_000 });
    await r.connect();
    await stream(r, ['G28'], 60_000, 50);
    await stream(r, ['M114']);
    expect(r.wire.some((line) => / M113 S2\*/.test(line))).toBe(true);
    expect(r.warnings.filter((w) => /timeout/i.test(w))).toEqual([]);
    expect(r.executedCommands().filter((c) => c === 'G28')).toEqual(['G28']);
  });

  it('G28 and M400 after queued moves complete once the planner has run the moves', async () => {
    const r = start({ resetOnOpen: false });
    await r.connect();
    // 10 mm at 10 mm/s: one second of planner time each, more moves than the planner holds.
    const slowMoves = Array.from({ length: 20 }, (_, index) => `G1 X${index % 2 === 0 ? 10 : 0} F600`);
    await stream(r, slowMoves, 60_000, 50);
    const queuedAt = r.clock.now();
    await stream(r, ['M400'], 60_000, 50);
    // The moves still in the planner took their time before M400 could answer.
    expect(r.clock.now() - queuedAt).toBeGreaterThanOrEqual(10_000);
    await stream(r, slowMoves, 60_000, 50);
    await stream(r, ['G91', 'G28 X0 Y0', 'G90'], 60_000, 50);
    await stream(r, ['M400', 'M114'], 60_000, 50);
    // M400 waited long enough for busy lines, so M113 S2 went out once in between.
    expect(r.executedCommands().filter((command) => command === 'M113 S2')).toEqual(['M113 S2']);
    expect(
      r
        .executedCommands()
        .filter((command) => command !== 'M113 S2')
        .slice(-46),
    ).toEqual([...slowMoves, 'M400', ...slowMoves, 'G91', 'G28 X0 Y0', 'G90', 'M400', 'M114']);
    expect(r.warnings).toEqual([]);
    expect(r.comm.status.id).toBe('OPERATIONAL');
  });

  it('#11 tolerates a long-running command that goes quiet after its busy lines', async () => {
    const r = start({ resetOnOpen: false });
    await r.connect();
    r.sim.faults.busy(4000);
    await stream(r, ['G4 S0'], 60_000, 50);
    r.sim.faults.stallOk(10_000);
    await stream(r, ['M400'], 60_000, 50);
    expect(r.warnings.some((w) => /Communication timeout/.test(w))).toBe(false);
    expect(r.comm.status.id).toBe('OPERATIONAL');
    expect(r.executedCommands().filter((c) => c === 'M400')).toEqual(['M400']);
  });
});
