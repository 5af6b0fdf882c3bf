import { numberedLine } from './gcode-line.js';
import type { LineWriter } from './line-writer.js';
import { type CommClock, ConnectionLostError } from './printer-comm.options.js';
import type { PrinterStateId } from './printer-comm.types.js';

const HELLO = 'M110 N0';
const MAX_HELLOS = 3;
/** Per-candidate wait while detecting port and baud rate (OctoPrint's `detectionConsecutive`). */
const DETECTION_TIMEOUT_S = 2;

/**
 * The hello exchange that opens a conversation (marlin-protocol.md §3.2): two hellos at once, one more on `start`
 * (a board that reset on open), another each time the connection timeout passes, up to three, then a timeout.
 * `answered` is the first ok (or `wait`): no more hellos; `succeeded` resolves `begin` once the printer is
 * Operational.
 */
export class Handshake {
  private hellosSent = 0;
  private timer: unknown;
  private waiter: { resolve(): void; reject(error: Error): void } | undefined;

  constructor(
    private readonly clock: CommClock,
    private readonly connectionTimeoutS: number,
    private readonly writer: LineWriter,
    private readonly state: () => PrinterStateId,
  ) {}

  /** Says hello on a freshly opened link; while detecting, after a bare newline and with a short timeout. */
  begin(detecting: boolean): Promise<void> {
    this.hellosSent = 0;
    const answered = new Promise<void>((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
    if (detecting) this.writer.writeRaw('\n');
    this.hello();
    this.hello();
    this.arm(detecting);
    return answered;
  }

  hello(): void {
    this.hellosSent += 1;
    this.writer.writeLine(numberedLine(0, HELLO));
  }

  /** The printer reset while operational: one hello, and the sync that follows it. */
  restart(): void {
    this.writer.writeLine(numberedLine(0, HELLO));
    this.hellosSent = 1;
  }

  answered(): void {
    this.clock.clearTimeout(this.timer);
  }

  succeeded(): void {
    this.clock.clearTimeout(this.timer);
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.resolve();
  }

  /** Fails a handshake in progress; false when none is. */
  fail(error: Error): boolean {
    this.clock.clearTimeout(this.timer);
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.reject(error);
    return waiter !== undefined;
  }

  private arm(detecting: boolean): void {
    this.clock.clearTimeout(this.timer);
    const seconds = detecting ? Math.min(DETECTION_TIMEOUT_S, this.connectionTimeoutS) : this.connectionTimeoutS;
    this.timer = this.clock.setTimeout(() => {
      const state = this.state();
      if (state !== 'CONNECTING' && state !== 'DETECT_SERIAL') return;
      if (this.hellosSent < MAX_HELLOS) {
        this.hello();
        this.arm(detecting);
        return;
      }
      this.fail(new ConnectionLostError('There was a timeout while trying to connect to the printer'));
    }, seconds * 1000);
  }
}
