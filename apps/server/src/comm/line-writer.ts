import type { SerialLogApi } from '../logging/logging.types.js';
import type { CommClock } from './printer-comm.options.js';
import type { CommLink } from './serial-link.js';

const TERMINAL_LINES = 20;

export interface LineWriterHooks {
  /** A write stayed unaccepted for one retry period more than `timeouts.write`. */
  onWriteTimeout(): void;
  warn(message: string): void;
}

/**
 * The outgoing side of the link: writes lines, logs them (serial.log, the last terminal lines for error reports) and
 * watches that the port accepts them. A write that stays unaccepted for `writeTimeoutMs` gets one more period
 * ("trying again", as OctoPrint retries a timed-out write once), then `onWriteTimeout`. Any accepted write restarts
 * the clock; one timer serves every write (no churn per line).
 */
export class LineWriter {
  private link: CommLink | undefined;
  private generation = 0;
  private writesPending = 0;
  private writeTimer: unknown;
  private writeDeadline = 0;
  private writeRetried = false;
  private readonly terminal: string[] = [];

  constructor(
    private readonly clock: CommClock,
    private readonly writeTimeoutMs: number,
    private readonly traffic: SerialLogApi | undefined,
    private readonly hooks: LineWriterHooks,
  ) {}

  get attached(): boolean {
    return this.link !== undefined;
  }

  /** The last terminal lines (`Send: ...` / `Recv: ...`). */
  get terminalLines(): readonly string[] {
    return this.terminal;
  }

  attach(link: CommLink): void {
    this.detach();
    this.link = link;
  }

  /** Forgets the link and every write still pending on it. */
  detach(): void {
    this.generation += 1;
    this.link = undefined;
    this.clock.clearTimeout(this.writeTimer);
    this.writeTimer = undefined;
    this.writesPending = 0;
    this.writeRetried = false;
  }

  writeLine(line: string): void {
    this.remember(`Send: ${line}`);
    this.traffic?.append('Send', line);
    this.writeRaw(`${line}\n`);
  }

  /** A received line, for the terminal lines an error report carries. */
  received(line: string): void {
    this.remember(`Recv: ${line}`);
    this.traffic?.append('Recv', line);
  }

  writeRaw(data: string): void {
    const link = this.link;
    if (link === undefined) return;
    const generation = this.generation;
    if (this.writesPending === 0) {
      this.writeDeadline = this.clock.now() + this.writeTimeoutMs;
      this.writeRetried = false;
    }
    this.writesPending += 1;
    if (this.writeTimer === undefined) this.scheduleWriteTimer(this.writeDeadline - this.clock.now());
    link.write(data, () => {
      if (generation !== this.generation) return;
      this.writesPending -= 1;
      this.writeDeadline = this.clock.now() + this.writeTimeoutMs;
      this.writeRetried = false;
    });
  }

  private remember(line: string): void {
    this.terminal.push(line);
    if (this.terminal.length > TERMINAL_LINES) this.terminal.shift();
  }

  private scheduleWriteTimer(delayMs: number): void {
    this.writeTimer = this.clock.setTimeout(() => {
      this.writeTimer = undefined;
      this.onWriteTimer();
    }, delayMs);
  }

  private onWriteTimer(): void {
    if (this.link === undefined || this.writesPending === 0) return;
    const remaining = this.writeDeadline - this.clock.now();
    if (remaining > 0) {
      this.scheduleWriteTimer(remaining);
      return;
    }
    if (!this.writeRetried) {
      this.writeRetried = true;
      this.hooks.warn('Serial timeout while writing to serial port, trying again.');
      this.writeDeadline = this.clock.now() + this.writeTimeoutMs;
      this.scheduleWriteTimer(this.writeTimeoutMs);
      return;
    }
    this.hooks.onWriteTimeout();
  }
}
