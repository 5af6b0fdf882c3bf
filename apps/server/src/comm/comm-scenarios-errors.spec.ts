import { describe, expect, it } from 'vitest';
import { ConnectionLostError } from './printer-comm.js';
import { moves, settle, stream, useCommRig } from '../../test/comm-helpers.js';

// marlin-protocol.md §4, resets, errors, disconnects and writes: #27-#34 (#34: a stalled write gets one retry
// period, then an error; a port that drains in time; a write I/O error).
// Each runs PrinterComm against the simulator over SerialPortStream on a virtual clock (see test/comm-helpers.ts).

const start = useCommRig();

describe('resets, errors and disconnects', () => {
  it('#27 notices an external reset: line numbers restart and auto-reports are re-armed', async () => {
    const r = start({ resetOnOpen: false });
    await r.connect();
    await stream(r, moves(5));
    const mark = r.wire.length;
    r.sim.faults.reset();
    await r.run(1000);
    const after = r.wire.slice(mark);
    expect(after.slice(0, 2)).toEqual(['N0 M110 N0*125', 'M115']);
    expect(after.some((line) => / M155 S2\*/.test(line))).toBe(true);
    await stream(r, moves(2));
    expect(r.executedCommands().slice(-2)).toEqual(moves(2));
    expect(r.comm.status.id).toBe('OPERATIONAL');
  });

  it('#28 handles thermal runaway: M112, heaters off, Offline after error with the merged message', async () => {
    const r = start({ resetOnOpen: false });
    await r.connect();
    const mark = r.wire.length;
    r.sim.faults.fatal('thermal_runaway', 0);
    await r.until(() => r.comm.status.id === 'CLOSED_WITH_ERROR', 5_000);
    const after = r.wire.slice(mark);
    expect(after[0]).toBe('M112');
    expect(after.slice(1).map((line) => line.replace(/^N\d+ /, '').replace(/\*\d+$/, ''))).toEqual([
      'M112',
      'M104 T0 S0',
      'M140 S0',
    ]);
    const message = 'Thermal Runaway, system stopped! Heater_ID: 0 - Printer halted. kill() called!';
    expect(r.comm.status).toMatchObject({ text: 'Offline after error', error: message });
    expect(r.comm.lastError).toMatchObject({ error: message, reason: 'runaway', consequence: 'emergency' });
  });

  it('#29 disconnects on an unknown error by default, and keeps going when told not to', async () => {
    const a = start({ resetOnOpen: false });
    await a.connect();
    a.sim.faults.send('Error:Foo');
    await a.until(() => a.comm.status.id === 'CLOSED_WITH_ERROR', 5_000);
    expect(a.comm.status.error).toBe('Foo');
    await a.close();
    const b = start({ resetOnOpen: false }, { disconnectOnErrors: false });
    await b.connect();
    b.sim.faults.send('Error:Foo');
    await b.run(100);
    expect(b.comm.status.id).toBe('OPERATIONAL');
  });

  it('#30 treats an unknown command as harmless', async () => {
    const r = start({ resetOnOpen: false });
    await r.connect();
    await stream(r, ['G12345']);
    expect(r.comm.status.id).toBe('OPERATIONAL');
    expect(r.comm.terminalLines.some((line) => line.startsWith('Recv: echo:Unknown command'))).toBe(true);
  });

  it('#31 reverts an invalid tool and remembers it', async () => {
    const r = start({ resetOnOpen: false, extruders: 2 });
    await r.connect();
    await stream(r, ['T1']);
    await stream(r, ['T3']);
    await r.run(100);
    expect(r.wire.slice(-1)[0]).toMatch(/^N\d+ T1\*\d+$/);
    expect(r.comm.firmwareModel.currentTool).toBe(1);
    expect([...r.comm.firmwareModel.invalidTools]).toEqual([3]);
  });

  it('#32 M112 from the user: raw M112 first, then numbered, then Offline after error', async () => {
    const r = start({ resetOnOpen: false });
    await r.connect();
    const mark = r.wire.length;
    await r.comm.send('M112');
    await settle();
    expect(r.wire[mark]).toBe('M112');
    expect(r.wire[mark + 1]).toMatch(/^N\d+ M112\*\d+$/);
    expect(r.comm.status.id).toBe('CLOSED_WITH_ERROR');
  });

  it('#33 reports an unplugged printer', async () => {
    const r = start({ resetOnOpen: false });
    await r.connect();
    r.sim.faults.disconnect();
    await r.until(() => r.comm.status.id === 'CLOSED_WITH_ERROR', 5_000);
    expect(r.comm.status.error).toMatch(/^Unexpected error while reading serial port/);
    await expect(r.comm.send('M105')).rejects.toThrow('Printer is not operational');
  });
});

describe('writes', () => {
  it('#34 retries a write the port does not accept once, then closes with an error', async () => {
    const r = start({ resetOnOpen: false }, { timeouts: { write: 10 } });
    await r.connect();
    r.sim.faults.stallRx();
    const sending = r.comm.send('G1 X1 F6000');
    sending.catch(() => undefined);
    const elapsed = await r.until(() => r.comm.status.id === 'CLOSED_WITH_ERROR', 60_000, 100);
    expect(elapsed).toBe(20_000);
    expect(r.warnings).toEqual([
      'Serial timeout while writing to serial port, trying again.',
      'Unexpected error while writing to serial port: Write timeout',
    ]);
    expect(r.comm.status).toMatchObject({
      text: 'Offline after error',
      error: 'Unexpected error while writing to serial port: Write timeout',
    });
    expect(r.comm.lastError).toMatchObject({ reason: 'serial', consequence: null });
    await expect(sending).rejects.toBeInstanceOf(ConnectionLostError);
    expect(r.executedCommands()).not.toContain('G1 X1 F6000');
  });

  it('#34 carries on when the port drains again within the retry', async () => {
    const r = start({ resetOnOpen: false }, { timeouts: { write: 10 } });
    await r.connect();
    r.sim.faults.stallRx(15_000);
    let done = false;
    r.comm.send('G1 X1 F6000').then(() => (done = true));
    const elapsed = await r.until(() => done, 60_000, 100);
    expect(elapsed).toBeGreaterThanOrEqual(15_000);
    expect(elapsed).toBeLessThan(20_000);
    expect(r.warnings).toEqual(['Serial timeout while writing to serial port, trying again.']);
    await stream(r, ['G1 X0 F6000']);
    expect(r.executedCommands().slice(-2)).toEqual(['G1 X1 F6000', 'G1 X0 F6000']);
    expect(r.comm.status.id).toBe('OPERATIONAL');
  });

  it('#34 closes with an error at once when a write fails (I/O error)', async () => {
    const r = start({ resetOnOpen: false });
    await r.connect();
    r.failWrites(new Error('EIO: i/o error, write'));
    const sending = r.comm.send('G1 X1 F6000');
    sending.catch(() => undefined);
    await r.until(() => r.comm.status.id === 'CLOSED_WITH_ERROR', 1_000);
    expect(r.comm.status.error).toBe('Unexpected error while writing to serial port: EIO: i/o error, write');
    expect(r.warnings).toEqual(['Unexpected error while writing to serial port: EIO: i/o error, write']);
    await expect(sending).rejects.toBeInstanceOf(ConnectionLostError);
  });
});
