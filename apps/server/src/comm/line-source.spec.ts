import { afterEach, describe, expect, it } from 'vitest';
import { type CommRig, commRig } from '../../test/comm-helpers.js';
import type { LineSource } from './line-source.js';

/** A source that hands out `lines` one at a time, as a print job streaming a file would. */
function arraySource(lines: readonly string[]): LineSource & { pulled: number; readonly confirmed: string[] } {
  const confirmed: string[] = [];
  return {
    pulled: 0,
    confirmed,
    nextLine() {
      const line = lines[this.pulled];
      if (line !== undefined) this.pulled += 1;
      return line;
    },
    accepted: (line) => confirmed.push(line),
  };
}

let rig: CommRig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

describe('line sources', () => {
  for (const mode of ['ping-pong', 'send-ahead'] as const) {
    it(`streams a source line by line, exactly once and in order, through 2% noise (${mode})`, async () => {
      rig = commRig({ resetOnOpen: false }, { flowControl: mode, sendAheadLines: 4 });
      const r = rig;
      await r.connect();
      r.sim.faults.noise(0.02, 11);
      const lines = Array.from({ length: 2000 }, (_, index) => `G1 X${index % 5} F${7000 + index}`);
      const source = arraySource(lines);
      const remove = r.comm.addLineSource(source);
      await r.until(() => source.confirmed.length === lines.length, 3_600_000, 100);
      remove();
      expect(source.confirmed).toEqual(lines);
      expect(r.executedCommands().filter((command) => command.startsWith('G1 '))).toEqual(lines);
      // Pulled lazily: never more than the window ahead of what was accepted.
      expect(source.pulled).toBe(lines.length);
    }, 120_000);
  }

  it('lets queued commands go first, one ok at a time, and asks the source only for what can go out', async () => {
    rig = commRig({ resetOnOpen: false }, { flowControl: 'send-ahead', sendAheadLines: 4 });
    const r = rig;
    await r.connect();
    const lines = Array.from({ length: 50 }, (_, index) => `G1 Y${index} F6000`);
    const source = arraySource(lines);
    r.comm.addLineSource(source);
    // Queued before the first ok of the source's lines arrives: it goes out before the source's next line.
    const user = r.comm.send('M117 between');
    await r.until(() => source.confirmed.length === lines.length);
    await user;
    expect(source.pulled).toBe(lines.length);
    const executed = r.executedCommands().filter((command) => /^(G1 Y|M117)/.test(command));
    // Behind the 4 lines in flight and the one the source had already handed over, ahead of the other 45.
    expect(executed.indexOf('M117 between')).toBe(5);
    expect(executed.filter((command) => command.startsWith('G1 '))).toEqual(lines);
  });

  it('is asked for nothing more once removed', async () => {
    rig = commRig({ resetOnOpen: false });
    const r = rig;
    await r.connect();
    const source = arraySource(Array.from({ length: 100 }, (_, index) => `G1 Z${index}`));
    const remove = r.comm.addLineSource(source);
    await r.until(() => source.confirmed.length >= 10);
    remove();
    const pulled = source.pulled;
    await r.run(500);
    expect(source.pulled).toBe(pulled);
    expect(r.executedCommands().filter((command) => command.startsWith('G1 Z'))).toHaveLength(source.confirmed.length);
  });
});
