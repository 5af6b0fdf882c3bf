import type { CommClock } from './printer-comm.options.js';

/**
 * The ok-watchdog: fires `onTimeout` when nothing moved its deadline for `timeoutMs()` while oks are owed. Only oks,
 * busy lines and heat-up reports refresh it, so chatter cannot hide a lost ok. Refreshing only moves the deadline;
 * the one timer re-arms itself for the rest when it fires early (no timer churn per line while streaming).
 */
export class OkWatchdog {
  private timer: unknown;
  private deadline = 0;
  private firesAt = 0;

  constructor(
    private readonly clock: CommClock,
    private readonly timeoutMs: () => number,
    private readonly onTimeout: () => void,
  ) {}

  /** Starts the watchdog unless it runs already (a line went out). */
  arm(): void {
    if (this.timer === undefined) this.refresh();
  }

  refresh(): void {
    const now = this.clock.now();
    this.deadline = now + this.timeoutMs();
    // The timeout can shorten (a resend started): a timer due later than the new deadline is moved up.
    if (this.timer !== undefined && this.firesAt > this.deadline) this.clear();
    if (this.timer === undefined) this.schedule(this.deadline - now);
  }

  /** While oks are owed the watchdog runs; once nothing is owed it stops. */
  settle(owed: boolean): void {
    if (owed) this.refresh();
    else this.clear();
  }

  clear(): void {
    this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(delayMs: number): void {
    this.firesAt = this.clock.now() + delayMs;
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      const remaining = this.deadline - this.clock.now();
      if (remaining > 0) this.schedule(remaining);
      else this.onTimeout();
    }, delayMs);
  }
}
