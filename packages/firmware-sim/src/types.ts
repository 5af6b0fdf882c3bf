/** Shapes shared by the simulator's parts. */

/** One command the simulator actually executed (the oracle). */
export interface ExecutedCommand {
  /** N of the line, or null for an unnumbered line or a command from the SD card. */
  lineNumber: number | null;
  /** The command with N and checksum removed, e.g. `G1 X10`. */
  command: string;
  /** Clock time when it started to execute (ms). */
  time: number;
  source: 'serial' | 'sd';
}

export type SimState = 'booting' | 'running' | 'stopped' | 'killed';

export interface Position {
  x: number;
  y: number;
  z: number;
  e: number;
}

export interface HeaterState {
  actual: number;
  target: number;
}

export interface SdState {
  mounted: boolean;
  selected: string | null;
  printing: boolean;
  paused: boolean;
  pos: number;
  size: number;
  saving: string | null;
}

/** A command waiting in (or executing from) the command ring. */
export interface RingCommand {
  line: string;
  lineNumber: number | null;
  source: 'serial' | 'sd';
  /** Internal job (busy fault): runs instead of a parsed command, no ok, not logged. */
  internal?: { gen: () => Generator<number, void, void>; busy: string | null };
}

/** A handler's body: yields the clock time it waits for, ends when the command is done. */
export type CommandRun = Generator<number, void, void>;

/** The command being executed. */
export interface Running {
  cmd: RingCommand;
  gen: CommandRun;
  started: number;
  wake: number;
  skipOk: boolean;
  okSent: boolean;
  busyText: string | null;
  keepaliveTimer: unknown;
  waiting: boolean;
}

/** Marlin's MAX_CMD_SIZE: longer lines are cut. */
export const MAX_CMD_SIZE = 96;

/** `%.2f` as Marlin prints it (never `-0.00`). */
export const f2 = (n: number): string => (Object.is(n, -0) ? 0 : n).toFixed(2);

/** A generator that waits until the clock reaches `end`. */
export function* waitUntil(clock: { now(): number }, end: number): CommandRun {
  while (clock.now() < end) yield end;
}
