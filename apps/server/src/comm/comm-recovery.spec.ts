import { describe, expect, it } from 'vitest';
import { type CommRig, moves, stream, useCommRig } from '../../test/comm-helpers.js';

// Lost oks and lost lines against firmware that goes quiet (issue 16, item 5), on the virtual clock: a `wait` while a
// line is unacknowledged, and a resend followed by silence. The default `communicationBusy` is 3 s.

const BUSY_TIMEOUT_MS = 3000;

const start = useCommRig();

/** Sends `lines`, returns the virtual ms until all were acknowledged. */
async function timed(r: CommRig, lines: readonly string[]): Promise<number> {
  let done = false;
  r.comm.send(lines).then(() => (done = true));
  return r.until(() => done, 120_000, 50);
}

describe('a wait while a line is unacknowledged', () => {
  for (const dialect of ['marlin', 'octoprint-vp'] as const) {
    it(`means its ok was lost: the next line goes at once (${dialect}, idle wait every second)`, async () => {
      const r = start({ dialect, resetOnOpen: false, idleWaitMs: 1000 });
      await r.connect();
      r.sim.faults.dropNextOk();
      const elapsed = await timed(r, ['G1 X1 F6000']);
      // The first wait comes a second after the line; the 30 s communication timeout never comes into it.
      expect(elapsed).toBeLessThan(2 * BUSY_TIMEOUT_MS);
      expect(r.warnings).toContain('Received a wait while a line was unacknowledged: its ok was lost, carrying on');
      expect(r.warnings.filter((warning) => warning.startsWith('Communication timeout'))).toEqual([]);
      await stream(r, ['G1 X0 F6000']);
      expect(r.executedCommands().filter((command) => command.startsWith('G1 '))).toEqual([
        'G1 X1 F6000',
        'G1 X0 F6000',
      ]);
    });

    it(`means a lost line is noticed at once: the next line draws a resend (${dialect})`, async () => {
      const r = start({ dialect, resetOnOpen: false, idleWaitMs: 1000 });
      await r.connect();
      r.sim.faults.dropNextLine();
      const elapsed = await timed(r, moves(5));
      expect(elapsed).toBeLessThan(2 * BUSY_TIMEOUT_MS);
      expect(r.executedCommands().slice(-5)).toEqual(moves(5));
    });
  }

  it('is ignored while nothing is owed (#26: idle waits cost nothing)', async () => {
    const r = start({ resetOnOpen: false, idleWaitMs: 1000 });
    await r.connect();
    const sent = r.wire.length;
    await r.run(5000, 100);
    expect(r.wire.length).toBe(sent);
    expect(r.warnings).toEqual([]);
  });
});

describe('resend, then silence', () => {
  for (const dialect of ['marlin', 'octoprint-vp'] as const) {
    it(`is recovered within 2x communicationBusy, not the 30 s communication timeout (${dialect})`, async () => {
      const r = start({ dialect, resetOnOpen: false, idleWaitMs: 0 });
      await r.connect();
      await stream(r, moves(3));
      // `Resend: N` with no ok; the host fakes the ok and sends N again, and that line is lost too: nothing more.
      r.sim.faults.resendWithoutOk();
      let done = false;
      r.comm.send(moves(4, 3)).then(() => (done = true));
      await r.until(() => r.sim.faults.resendsWithoutOk === 0, 1000, 1);
      r.sim.faults.dropNextLine();
      const elapsed = await r.until(() => done, 120_000, 50);
      expect(elapsed).toBeGreaterThanOrEqual(BUSY_TIMEOUT_MS);
      expect(elapsed).toBeLessThanOrEqual(2 * BUSY_TIMEOUT_MS);
      expect(r.warnings).toContain('Communication timeout, trying to trigger a response from the printer');
      expect(r.executedCommands().slice(-7)).toEqual(moves(7));
    });
  }

  it('falls back to the communication timeout when the printer stays silent after the first short one', async () => {
    const r = start({ resetOnOpen: false });
    await r.connect();
    await stream(r, moves(2));
    r.sim.faults.resendWithoutOk();
    let done = false;
    r.comm.send(moves(2, 2)).then(() => (done = true));
    await r.until(() => r.sim.faults.resendsWithoutOk === 0, 1000, 1);
    r.sim.faults.dropNextLine();
    await r.run(1000);
    r.sim.faults.silence(40_000);
    await r.until(() => done, 120_000, 100);
    const timeouts = r.warnings.filter((warning) => warning.startsWith('Communication timeout'));
    // One short timeout (3 s) during the resend, then the usual 30 s ones while the printer says nothing.
    expect(timeouts.length).toBeGreaterThanOrEqual(2);
    expect(r.comm.status.id).toBe('OPERATIONAL');
    expect(r.executedCommands().filter((command) => command.startsWith('G1 '))).toEqual(moves(4));
  });
});
