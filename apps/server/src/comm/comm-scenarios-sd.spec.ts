import { describe, expect, it } from 'vitest';
import { stream, useCommRig } from '../../test/comm-helpers.js';

// marlin-protocol.md §4, the SD card and action commands: #35-#37, #39 (#36: progress and SD print detection; the
// Finishing state and its M400 belong to the job layer).
// Each runs PrinterComm against the simulator over SerialPortStream on a virtual clock (see test/comm-helpers.ts).

const start = useCommRig();

describe('SD card and action commands', () => {
  it('#35 reads the SD listing', async () => {
    const r = start({
      resetOnOpen: false,
      sdFiles: { 'cube.gco': 'G1 X1\nG1 X2\n', 'parts/long file name.gcode': 'M105\n' },
    });
    await r.connect();
    await r.run(500);
    expect(r.comm.sd.ready).toBe(true);
    expect(r.comm.sdFiles.map((file) => file.size)).toEqual([12, 5]);
    expect(r.comm.sdFiles[0]?.name).toBe('/CUBE.GCO');
  });

  it('#36 polls M27 every second while an SD file is selected or printing when SD status is not auto-reported', async () => {
    const r = start({
      resetOnOpen: false,
      capabilities: { AUTOREPORT_SD_STATUS: false },
      // Forty 1-second moves, more than the planner holds; a serial M27 gets into the command ring between them.
      sdFiles: { 'cube.gco': 'G1 X10 F600\nG1 X0 F600\n'.repeat(20) },
    });
    await r.connect();
    const polls = (): number => r.wire.filter((line) => /^N\d+ M27\*\d+$/.test(line)).length;
    expect(r.wire.some((line) => / M27 S1\*/.test(line))).toBe(false);
    await r.run(5_000, 100);
    expect(polls()).toBe(0);
    await stream(r, ['M23 cube.gco']);
    await r.run(3_000, 100);
    expect(polls()).toBe(3);
    expect(r.comm.status.id).toBe('OPERATIONAL');
    await stream(r, ['M24']);
    // The poll waits in the firmware's command ring behind SD lines (the planner is full), so the first answer is late.
    await r.until(() => r.comm.status.id === 'PRINTING', 10_000, 100);
    expect(r.comm.status.text).toBe('Printing from SD');
    expect(r.comm.sd.progress?.total).toBe(460);
    // Done printing file: the file is closed, the print is over and the polling stops.
    await r.until(() => r.comm.status.id === 'OPERATIONAL', 60_000, 100);
    const finished = polls();
    // 3 while only selected, then one at a time while printing (each waits behind SD lines in the ring).
    expect(finished).toBeGreaterThanOrEqual(8);
    expect(r.comm.terminalLines.slice(-3)).toEqual(['Recv: Done printing file', 'Recv: Not SD printing', 'Recv: ok']);
    await r.run(5_000, 100);
    expect(polls()).toBe(finished);
    expect(r.comm.sd.printing).toBe(false);
  });

  it('#36 sends no M27 polls when the firmware auto-reports SD status', async () => {
    const r = start({ resetOnOpen: false, sdFiles: { 'cube.gco': 'G4 S1\n'.repeat(5) } });
    await r.connect();
    await stream(r, ['M23 cube.gco', 'M24']);
    await r.until(() => r.comm.status.id === 'PRINTING', 5_000, 100);
    await r.until(() => r.comm.status.id === 'OPERATIONAL', 30_000, 100);
    expect(r.wire.filter((line) => / M27 S1\*/.test(line))).toHaveLength(1);
    expect(r.wire.filter((line) => /^(N\d+ )?M27(\*\d+)?$/.test(line))).toEqual([]);
  });

  it('#37 cancels an SD print the firmware no longer knows about (third "Not SD printing")', async () => {
    const r = start({ resetOnOpen: false, sdFiles: { 'cube.gco': 'G4 S30\n'.repeat(50) } });
    await r.connect();
    await stream(r, ['M23 cube.gco', 'M24']);
    await r.until(() => r.comm.status.id === 'PRINTING', 10_000);
    r.sim.faults.send('Not SD printing');
    r.sim.faults.send('Not SD printing');
    await r.run(20);
    expect(r.comm.status.id).toBe('PRINTING');
    r.sim.faults.send('Not SD printing');
    await r.run(20);
    expect(r.comm.status).toMatchObject({ id: 'OPERATIONAL', text: 'Operational' });
    expect(r.comm.sd.printing).toBe(false);
  });

  it('#39 follows action commands and detects an SD print', async () => {
    const r = start({ resetOnOpen: false, sdFiles: { 'cube.gco': 'G4 S30\n'.repeat(50) } });
    await r.connect();
    const actions: string[] = [];
    r.comm.events.on('action', (action: { action: string }) => actions.push(action.action));
    await stream(r, ['M23 cube.gco', 'M24']);
    await r.until(() => r.comm.status.id === 'PRINTING', 10_000);
    expect(r.comm.status.text).toBe('Printing from SD');
    expect(r.comm.sd.printing).toBe(true);
    r.sim.faults.send('//action:pause');
    await r.run(50);
    expect(r.comm.status.id).toBe('PAUSED');
    r.sim.faults.send('// action:resume');
    await r.run(50);
    expect(r.comm.status.id).toBe('PRINTING');
    r.sim.faults.send('//action:prompt_begin Filament runout');
    r.sim.faults.send('//action:disconnect');
    await r.run(50);
    expect(actions).toEqual(['pause', 'resume', 'prompt_begin', 'disconnect']);
    expect(r.comm.status.id).toBe('CLOSED');
  });
});
