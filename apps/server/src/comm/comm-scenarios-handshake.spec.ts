import { describe, expect, it } from 'vitest';
import { stream, useCommRig } from '../../test/comm-helpers.js';

// marlin-protocol.md §4, the handshake: #1-#6 (#4 through the rig's `listenBaudrate`: other rates lose input and
// answer garbage), and the sync after the first ok (§3.2).
// Each runs PrinterComm against the simulator over SerialPortStream on a virtual clock (see test/comm-helpers.ts).

const start = useCommRig();

describe('handshake', () => {
  it('#1 connects to a board that resets on open: hellos swallowed during boot, hello again on start', async () => {
    const r = start({ resetOnOpen: true, bootMs: 1500 });
    await r.connect();
    expect(r.comm.status.id).toBe('OPERATIONAL');
    expect(r.wire.slice(0, 2)).toEqual(['N0 M110 N0*125', 'N0 M110 N0*125']);
    // After `start`: one more hello, then M110, the unnumbered M115 probe, then (always checksummed, Hotend's safe
    // choice) M105 as line 1, so the temperatures are known when the state turns Operational, and M21.
    const afterBoot = r.wire.slice(2, 7);
    expect(afterBoot).toEqual(['N0 M110 N0*125', 'N0 M110 N0*125', 'M115', 'N1 M105*38', 'N2 M21*18']);
    expect(r.sim.executed.filter((e) => e.command === 'M110 N0')).toHaveLength(2);
  });

  it('knows the temperatures the moment it turns Operational (an M105 right after the sync)', async () => {
    const r = start({ resetOnOpen: false });
    const atOperational: unknown[] = [];
    r.comm.events.on('state', (status: { id: string }) => {
      if (status.id === 'OPERATIONAL') atOperational.push(r.comm.snapshot.heaters);
    });
    await r.connect();
    // The M105's `ok T:...` line makes the state Operational; its readings are in before anyone looks.
    expect(atOperational).toEqual([{ tool0: { actual: 21.3, target: 0 }, bed: { actual: 21.3, target: 0 } }]);
  });

  it('#2 connects to a board that does not reset', async () => {
    const r = start({ resetOnOpen: false });
    await r.connect();
    expect(r.comm.status).toMatchObject({ id: 'OPERATIONAL', text: 'Operational' });
    expect(r.wire.slice(0, 6)).toEqual([
      'N0 M110 N0*125',
      'N0 M110 N0*125',
      'N0 M110 N0*125',
      'M115',
      'N1 M105*38',
      'N2 M21*18',
    ]);
  });

  it('sends nothing numbered after a hello until the firmware has run it, even with commands queued at connect', async () => {
    // Marlin applies M110 again when it executes it: a numbered line parsed in between is then judged against
    // line 0 and requested again, running twice. The stray ok of an earlier hello must not let one through.
    const r = start({ resetOnOpen: false });
    const user = ['G91', 'G1 X1', 'G1 X1', 'G90'];
    let sent: Promise<void> | undefined;
    r.comm.events.on('state', (status: { id: string }) => {
      if (status.id === 'OPERATIONAL' && sent === undefined) sent = r.comm.send(user);
    });
    await r.connect();
    await r.until(() => sent !== undefined);
    await sent;
    expect(r.warnings.filter((warning) => /resend/i.test(warning))).toEqual([]);
    const probe = r.wire.indexOf('M115');
    expect(r.wire.slice(0, probe + 1)).toEqual(['N0 M110 N0*125', 'N0 M110 N0*125', 'N0 M110 N0*125', 'M115']);
    // The first numbered line after the probe's ok is the M105 whose ok makes the printer Operational.
    expect(r.wire.slice(probe + 1, probe + 2)).toEqual(['N1 M105*38']);
    const executed = r.sim.executed.filter((entry) => entry.source === 'serial').map((entry) => entry.command);
    expect(executed.filter((command) => command === 'M115')).toHaveLength(1);
    expect(executed.filter((command) => user.includes(command))).toEqual(user);
  });

  it('#3 gives up on a silent printer after three hellos', async () => {
    const r = start({ resetOnOpen: false }, { timeouts: { connection: 10 } });
    r.sim.faults.silence();
    let failure: unknown;
    r.comm.connect({ port: 'VIRTUAL', baudrate: 115200 }).catch((error: unknown) => (failure = error));
    const elapsed = await r.until(() => failure !== undefined, 60_000, 100);
    expect((failure as Error).message).toBe('There was a timeout while trying to connect to the printer');
    expect(r.wire).toEqual(['N0 M110 N0*125', 'N0 M110 N0*125', 'N0 M110 N0*125']);
    expect(elapsed).toBe(20_000);
    expect(r.comm.status).toMatchObject({ id: 'CLOSED', text: 'Offline' });
    expect(r.comm.connection.state).toBe('Offline');
  });

  it('#4 detects the baud rate: garbage at 115200, ok at 250000', async () => {
    const r = start({ resetOnOpen: false }, {}, { listenBaudrate: 250000 });
    const states: string[] = [];
    r.comm.events.on('state', (status: { text: string }) => states.push(status.text));
    let failure: unknown;
    const connecting = r.comm.connect({ port: 'VIRTUAL', baudrate: 0 });
    connecting.catch((error: unknown) => (failure = error));
    await r.until(() => failure !== undefined || r.comm.isOperational, 60_000, 100);
    await connecting;
    expect(r.comm.connection).toMatchObject({ state: 'Operational', port: 'VIRTUAL', baudrate: 250000 });
    expect(states[0]).toBe('Detecting serial connection');
    // Each candidate: a bare newline, then the hellos; 115200 got three (garbage never counts as an answer).
    expect(r.wire.slice(0, 5)).toEqual(['', 'N0 M110 N0*125', 'N0 M110 N0*125', 'N0 M110 N0*125', '']);
    expect(r.sim.executed[0]?.command).toBe('M110 N0');
  });

  it('#5 acts on capabilities: M155 S2, M27 S1, M20 L T, and no M105 polling (one M105 at connect)', async () => {
    const r = start({ resetOnOpen: false, sdFiles: { 'cube.gco': 'G1 X1\n' } });
    await r.connect();
    await r.run(20_000, 100);
    const commands = r.wire.map((line) => line.replace(/^N\d+ /, '').replace(/\*\d+$/, ''));
    expect(commands).toContain('M155 S2');
    expect(commands).toContain('M27 S1');
    expect(commands).toContain('M20 L T');
    expect(commands.filter((command) => command === 'M105')).toHaveLength(1);
    expect(r.comm.heaters['tool0']).toEqual({ actual: 21.3, target: 0 });
  });

  it('#6 polls M105 every 5 s without auto-report, every 2 s once a target is set', async () => {
    const r = start({ resetOnOpen: false, extendedCapabilities: false });
    await r.connect();
    const polls = (): number => r.wire.filter((line) => / M105\*/.test(line)).length;
    const before = polls();
    await r.run(20_000, 100);
    expect(polls() - before).toBe(4);
    await stream(r, ['M104 S200']);
    const heating = polls();
    await r.run(10_000, 100);
    expect(polls() - heating).toBe(5);
    expect(r.comm.heaters['tool0']?.target).toBe(200);
  });
});
