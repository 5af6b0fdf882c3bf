import { VirtualClock } from '../src/clock.js';
import { formatLine } from '../src/checksum.js';
import { type MarlinSimOptions } from '../src/options.js';
import { MarlinSim } from '../src/sim.js';

/** A simulator on a virtual clock with its output collected as lines. */
export function harness(options: MarlinSimOptions = {}, open = true) {
  const clock = new VirtualClock();
  const sim = new MarlinSim({ resetOnOpen: false, ...options, clock });
  let buffer = '';
  const lines: string[] = [];
  let taken = 0;
  sim.onOutput((chunk) => {
    buffer += chunk;
    let nl = buffer.indexOf('\n');
    while (nl >= 0) {
      lines.push(buffer.slice(0, nl));
      buffer = buffer.slice(nl + 1);
      nl = buffer.indexOf('\n');
    }
  });
  if (open) sim.open();
  return {
    sim,
    clock,
    lines,
    /** Sends one line (adds `\n`); returns the bytes accepted. */
    send(line: string): number {
      return sim.receive(`${line}\n`);
    },
    /** Sends `N<n> <cmd>*<cs>`. */
    sendN(n: number, cmd: string): number {
      return sim.receive(`${formatLine(n, cmd)}\n`);
    },
    /** Output lines since the last take(). */
    take(): string[] {
      const out = lines.slice(taken);
      taken = lines.length;
      return out;
    },
    /** Sends a line and returns the output it produced at once. */
    exchange(line: string): string[] {
      this.take();
      this.send(line);
      return this.take();
    },
  };
}
