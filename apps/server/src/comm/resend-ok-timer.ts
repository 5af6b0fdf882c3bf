import type { CommClock } from './printer-comm.options.js';

const RESEND_OK_TIMEOUT_MS = 500;

/** Firmwares that leave out the ok after `Resend:` get one faked after 0.5 s (`missing` runs then). */
export class ResendOkTimer {
  private timer: unknown;

  constructor(
    private readonly clock: CommClock,
    private readonly missing: () => void,
  ) {}

  /** An ok is owed to a `Resend:` and has not come yet. */
  get pending(): boolean {
    return this.timer !== undefined;
  }

  /** A `Resend:` arrived: its ok should follow. */
  arm(): void {
    this.clock.clearTimeout(this.timer);
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.missing();
    }, RESEND_OK_TIMEOUT_MS);
  }

  clear(): void {
    this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }
}
