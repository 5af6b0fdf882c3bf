import type { CommClock } from './printer-comm.options.js';

/** How long a resend waits after the last duplicate request before it goes out anyway. */
const RESEND_SETTLE_MS = 30;

/**
 * The firmware flushes its input on every line error, so a resent line that reaches it while the lines in flight
 * behind the bad one still draw their duplicate errors is lost with them. The resend waits until every duplicate
 * came or none came for RESEND_SETTLE_MS (lines flushed with the first error never answer).
 */
export class ResendHold {
  private timer: unknown;
  private holding = false;

  constructor(
    private readonly clock: CommClock,
    private readonly released: () => void,
  ) {}

  get held(): boolean {
    return this.holding;
  }

  /** A resend started or a duplicate request came: hold while more duplicates are expected, else release. */
  update(duplicatesExpected: boolean): void {
    this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.holding = duplicatesExpected;
    if (!this.holding) {
      this.released();
      return;
    }
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.holding = false;
      this.released();
    }, RESEND_SETTLE_MS);
  }

  /** Forgets the hold (the link reset, or the lines in flight were forgotten). */
  clear(): void {
    this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.holding = false;
  }
}
