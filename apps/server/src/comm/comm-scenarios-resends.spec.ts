import { describe, expect, it } from 'vitest';
import { CommandRejectedError } from './printer-comm.js';
import { longestPause, moves, resentNumbers, stream, useCommRig } from '../../test/comm-helpers.js';

// marlin-protocol.md §4, flow control and resends: #12-#26, #40, #41 and the blocked M0/M1 (§3.4); #19 warns idle
// and errors while printing from SD; #41: 2% noise stays under the 10% threshold, so the warning has its own test
// with 20%, and the noise soak streams 10,000 lines in both flow-control modes.
// Each runs PrinterComm against the simulator over SerialPortStream on a virtual clock (see test/comm-helpers.ts).

const start = useCommRig();

describe('flow control and resends', () => {
  it('#12 keeps at most one line in flight in ping-pong mode', async () => {
    const r = start({ resetOnOpen: false });
    await r.connect();
    await stream(r, moves(200));
    expect(r.maxInFlight()).toBe(1);
    expect(r.executedCommands().slice(-200)).toEqual(moves(200));
  });

  it('#13 resends a corrupted line with the same N; it runs exactly once', async () => {
    const r = start({ resetOnOpen: false });
    await r.connect();
    r.sim.faults.corruptNextLine(50);
    await stream(r, moves(100));
    expect(r.wire.filter((line) => line.startsWith('N50 '))).toHaveLength(2);
    expect(r.executedCommands().slice(-100)).toEqual(moves(100));
  });

  it('#14 answers a line-number error by resending from the requested line', async () => {
    const r = start({ resetOnOpen: false });
    await r.connect();
    r.sim.faults.lineNumberError();
    const mark = r.wire.length;
    await stream(r, moves(20));
    expect(r.executedCommands().slice(-20)).toEqual(moves(20));
    // The fault fired: the first line went twice.
    expect(resentNumbers(r, mark)).toHaveLength(1);
  });

  it('#15 fakes the ok a firmware left out after Resend', async () => {
    const r = start({ resetOnOpen: false });
    await r.connect();
    r.sim.faults.resendWithoutOk();
    const mark = r.wire.length;
    const elapsed = await (async () => {
      let done = false;
      r.comm.send(moves(10)).then(() => (done = true));
      return r.until(() => done, 10_000, 10);
    })();
    expect(r.executedCommands().slice(-10)).toEqual(moves(10));
    // The fault fired: a line went twice, after the 0.5 s the host waits for the missing ok.
    expect(resentNumbers(r, mark)).toHaveLength(1);
    expect(elapsed).toBeGreaterThanOrEqual(500);
  });

  it('#16 ignores duplicate resend requests caused by lines in flight (send-ahead)', async () => {
    const r = start({ resetOnOpen: false }, { flowControl: 'send-ahead', sendAheadLines: 4 });
    await r.connect();
    r.sim.faults.corruptNextLine(30);
    r.sim.faults.corruptNextLine(31);
    await stream(r, moves(120));
    expect(r.executedCommands().slice(-120)).toEqual(moves(120));
    expect(r.maxInFlight()).toBeGreaterThan(1);
  });

  it('holds numbered lines behind an M110 until its ok in send-ahead, so none runs twice', async () => {
    const r = start({ resetOnOpen: false }, { flowControl: 'send-ahead', sendAheadLines: 8 });
    await r.connect();
    await stream(r, moves(3));
    // Marlin reads every waiting line into its command buffer before it executes the next command: lines that
    // reach it in one chunk are parsed before M110 runs.
    r.coalesceWrites(50);
    const lines = ['M110 N100', ...moves(8, 3)];
    await stream(r, lines);
    expect(r.executedCommands().slice(-lines.length - 1)).toEqual([...moves(1, 2), ...lines]);
    const renumber = r.wire.findIndex((line) => line.includes('M110 N100'));
    expect(r.wire.slice(renumber + 1).find((line) => line.startsWith('N'))).toMatch(/^N101 G1 X1 F6003\*/);
    expect(r.maxInFlight()).toBeGreaterThan(1);
  });

  it('sends a rejected M110 again (the firmware still counts in the numbering the history no longer holds)', async () => {
    const r = start({ resetOnOpen: false });
    await r.connect();
    await stream(r, moves(3));
    const mark = r.wire.length;
    // The M110 line itself fails its checksum: the firmware asks for its old next line, not one of the new numbering.
    r.sim.faults.corruptNextLine(0);
    const lines = ['M110 N0', ...moves(3, 3)];
    await stream(r, lines, 10_000);
    expect(r.wire.slice(mark)).toEqual([
      'N0 M110 N0*125',
      'N0 M110 N0*125',
      'N1 G1 X1 F6003*3',
      'N2 G1 X0 F6004*6',
      'N3 G1 X1 F6005*7',
    ]);
    expect(r.executedCommands().slice(-4)).toEqual(lines);
  });

  it('#17 ignores a resend request for a line not sent yet', async () => {
    const r = start({ resetOnOpen: false });
    await r.connect();
    await stream(r, ['G1 X1 F6000']);
    const next = Number(/^N(\d+)/.exec(r.wire.filter((line) => line.startsWith('N')).at(-1) ?? '')?.[1]) + 1;
    r.sim.faults.send(`Resend: ${next}`);
    r.sim.faults.send('ok');
    await r.run(50);
    await stream(r, ['G1 X0 F6000']);
    expect(r.executedCommands().slice(-2)).toEqual(['G1 X1 F6000', 'G1 X0 F6000']);
  });

  it('#18 detects a resend loop and fails with OctoPrint message', async () => {
    const r = start({ resetOnOpen: false });
    await r.connect();
    for (let i = 0; i < 12; i += 1) r.sim.faults.lineNumberError();
    const sending = r.comm.send(moves(3));
    sending.catch(() => undefined);
    await r.until(() => r.comm.status.id === 'CLOSED_WITH_ERROR', 60_000);
    await expect(sending).rejects.toThrow(/communication stuck/);
    expect(r.comm.status.error).toMatch(/^Printer keeps requesting line \d+ again and again, communication stuck$/);
  });

  it('#19 cannot resend beyond its history: a warning while idle, an error while printing', async () => {
    const r = start({ resetOnOpen: false, sdFiles: { 'cube.gco': 'G4 S30\n'.repeat(50) } });
    await r.connect();
    await stream(r, moves(70));
    const last = Number(/^N(\d+)/.exec(r.wire.filter((line) => line.startsWith('N')).at(-1) ?? '')?.[1]);
    r.sim.faults.send(`Resend: ${last - 60}`);
    r.sim.faults.send('ok');
    await r.run(50);
    const message = `Should resend line ${last - 60} but no sufficient history is available, can't resend`;
    expect(r.warnings).toEqual([message]);
    await stream(r, moves(2));
    expect(r.executedCommands().slice(-2)).toEqual(moves(2));
    await stream(r, ['M23 cube.gco', 'M24']);
    await r.until(() => r.comm.status.id === 'PRINTING', 10_000);
    r.sim.faults.send(`Resend: ${last - 60}`);
    await r.until(() => r.comm.status.id === 'CLOSED_WITH_ERROR', 5_000);
    expect(r.comm.status.error).toBe(message);
  });

  it('#20 recovers from the old "No Line Number with checksum" error', async () => {
    const r = start({ resetOnOpen: false });
    await r.connect();
    r.sim.faults.dropNextLine();
    let done = false;
    r.comm.send(moves(3)).then(() => (done = true));
    await r.run(30);
    r.sim.faults.send('Error:No Line Number with checksum, Last Line: 3');
    await r.until(() => done, 5_000);
    expect(r.executedCommands().slice(-3)).toEqual(moves(3));
  });

  it('#21 recovers from a lost ok while streaming (ok-watchdog, then the next line)', async () => {
    const r = start({ resetOnOpen: false });
    await r.connect();
    r.sim.faults.dropNextOk();
    await stream(r, moves(20), 120_000, 100);
    expect(r.executedCommands().slice(-20)).toEqual(moves(20));
    expect(r.warnings).toContain('Communication timeout, trying to trigger a response from the printer');
  });

  it('#22 recovers from a lost ok while idle even though auto-reports keep arriving', async () => {
    const r = start({ resetOnOpen: false });
    await r.connect();
    r.sim.faults.dropNextOk();
    const elapsed = await (async () => {
      let done = false;
      r.comm.send('G1 X1 F6000').then(() => (done = true));
      return r.until(() => done, 120_000, 100);
    })();
    expect(elapsed).toBeGreaterThanOrEqual(30_000);
    expect(elapsed).toBeLessThan(40_000);
    await stream(r, ['G1 X0 F6000']);
    // The probe M105 went out once the watchdog fired; G1 X1 ran once.
    expect(r.executedCommands().slice(-3)).toEqual(['G1 X1 F6000', 'M105', 'G1 X0 F6000']);
  });

  it('#23 recovers from a lost line: the probe draws a resend', async () => {
    const r = start({ resetOnOpen: false });
    await r.connect();
    r.sim.faults.dropNextLine();
    const mark = r.wire.length;
    await stream(r, moves(5), 120_000, 100);
    expect(r.executedCommands().slice(-5)).toEqual(moves(5));
    // The fault fired: the watchdog probed with the next line, which drew a resend of the lost one (and itself).
    expect(r.warnings).toContain('Communication timeout, trying to trigger a response from the printer');
    const [lost, probe] = resentNumbers(r, mark);
    expect(probe).toBe((lost ?? 0) + 1);
  });

  it('#24 caps credit at one despite a duplicated ok', async () => {
    const r = start({ resetOnOpen: false });
    await r.connect();
    r.sim.faults.duplicateOk();
    await stream(r, moves(30));
    expect(r.maxInFlight()).toBe(1);
    expect(r.executedCommands().slice(-30)).toEqual(moves(30));
  });

  it('#25 treats a malformed ok as lost and accepts ADVANCED_OK', async () => {
    const r = start({ resetOnOpen: false, advancedOk: true });
    await r.connect();
    await stream(r, moves(5));
    r.sim.faults.prepareOk('kk');
    await stream(r, moves(5, 5), 120_000, 100);
    expect(r.executedCommands().slice(-10)).toEqual(moves(10));
  });

  it('#26 ignores idle `wait` lines', async () => {
    const r = start({ resetOnOpen: false, idleWaitMs: 1000 });
    await r.connect();
    const sent = r.wire.length;
    await r.run(10_000, 100);
    expect(r.wire.length).toBe(sent);
    await stream(r, moves(3));
    expect(r.executedCommands().slice(-3)).toEqual(moves(3));
  });

  it('never sends the blocked commands M0 and M1 (§3.4)', async () => {
    const r = start({ resetOnOpen: false });
    await r.connect();
    const mark = r.wire.length;
    await stream(r, ['M0', 'G1 X1 F6000', 'M1 Press a button', 'G1 X0 F6000']);
    expect(r.wire.slice(mark).map((line) => line.replace(/^N\d+ /, '').replace(/\*\d+$/, ''))).toEqual([
      'G1 X1 F6000',
      'G1 X0 F6000',
    ]);
    expect(r.executedCommands().slice(-2)).toEqual(['G1 X1 F6000', 'G1 X0 F6000']);
  });

  it('#40 refuses lines that Marlin would truncate', async () => {
    const r = start({ resetOnOpen: false });
    await r.connect();
    await expect(r.comm.send(`M117 ${'x'.repeat(116)}`)).rejects.toBeInstanceOf(CommandRejectedError);
    expect(r.wire.some((line) => line.includes('xxxx'))).toBe(false);
  });
});

describe('resend ratio', () => {
  it('#41 logs the unreliable-communication warning once over 10% of lines drew a resend', async () => {
    const r = start({ resetOnOpen: false });
    await r.connect();
    r.sim.faults.noise(0.2, 7);
    const lines = moves(300);
    await stream(r, lines, 600_000, 50);
    expect(r.executedCommands().slice(-300)).toEqual(lines);
    const ratioWarnings = r.warnings.filter((warning) => warning.startsWith('Over 10% of transmitted lines'));
    expect(ratioWarnings).toHaveLength(1);
    expect(ratioWarnings[0]).toMatch(
      /^Over 10% of transmitted lines have triggered resend requests \(\d+\.\d\d%\)\. The communication with the printer is unreliable\. Please see https:\/\/faq\.octoprint\.org\/communication-errors\.$/,
    );
  });
});

describe('noise soak', () => {
  for (const mode of ['ping-pong', 'send-ahead'] as const) {
    it(`streams 10,000 lines through 2% corruption exactly once, in order (${mode})`, async () => {
      const r = start({ resetOnOpen: false }, { flowControl: mode, sendAheadLines: 4 });
      await r.connect();
      r.sim.faults.noise(0.02, 42);
      const lines = moves(10_000);
      await stream(r, lines, 3_600_000, 200);
      expect(r.executedCommands().slice(-10_000)).toEqual(lines);
      expect(r.executedCommands().filter((c) => c.startsWith('G1 '))).toHaveLength(10_000);
      // No stall on the way: a resend never waits for a timeout (2x the default communicationBusy of 3 s).
      const moveTimes = r.sim.executed.filter((entry) => entry.command.startsWith('G1 ')).map((entry) => entry.time);
      expect(longestPause(moveTimes)).toBeLessThan(6000);
      // The noise really bit: about 2% of the lines went again.
      expect(r.wire.length - 10_000).toBeGreaterThan(100);
    }, 120_000);
  }
});
