import type { ResendStats } from './printer-comm.types.js';

const MAX_CONSECUTIVE_RESENDS = 10;

export interface ResendTrackerHost {
  /** A job is running (a resend beyond the history cannot be survived then). */
  printing(): boolean;
  triggerError(message: string): void;
  log(message: string): void;
  warn(message: string): void;
}

/**
 * Judges each `Resend:` request as OctoPrint's `_handle_resend_request` does (marlin-protocol.md §3.6): requests
 * for a line not sent yet, duplicates caused by lines that were already in flight, a firmware stuck asking for the
 * same line, requests beyond the history; and logs once when resends pass 10% of the lines sent.
 */
export class ResendTracker {
  private lastCommError: string | undefined;
  private lastResendNumber: number | undefined;
  private duplicateAllowance = 0;
  private consecutiveResendNumber: number | undefined;
  private consecutiveResends = 0;
  private linesSent = 0;
  private resendsReceived = 0;
  private ratioLogged = false;

  constructor(private readonly host: ResendTrackerHost) {}

  /** Lines that were in flight after the requested one may still each draw a duplicate request. */
  get duplicatesExpected(): boolean {
    return this.duplicateAllowance > 0;
  }

  get stats(): ResendStats {
    const ratio = this.linesSent === 0 ? 0 : Math.floor((100 * this.resendsReceived) / this.linesSent);
    return { count: this.resendsReceived, transmitted: this.linesSent, ratio };
  }

  /** A connection opened: OctoPrint counts per connection (and warns about the ratio once per connection). */
  restartCounts(): void {
    this.linesSent = 0;
    this.resendsReceived = 0;
    this.ratioLogged = false;
  }

  lineSent(): void {
    this.linesSent += 1;
  }

  noteCommError(message: string): void {
    this.lastCommError = message;
  }

  /** Whether to resend from `requested` (which the history holds when `inHistory`). */
  judge(requested: number, inHistory: boolean, lastSentNumber: number, nextLineNumber: number): 'resend' | 'ignore' {
    this.resendsReceived += 1;
    this.checkRatio();
    if (!inHistory && requested === nextLineNumber) {
      this.host.log(`Ignoring resend request for line ${requested}, that hasn't been sent yet`);
      return 'ignore';
    }
    if (
      this.duplicateAllowance > 0 &&
      requested === this.lastResendNumber &&
      /line number|expected line/i.test(this.lastCommError ?? '')
    ) {
      this.duplicateAllowance -= 1;
      this.host.log(`Ignoring resend request for line ${requested}, caused by lines already in flight`);
      return 'ignore';
    }
    if (requested === this.consecutiveResendNumber) {
      this.consecutiveResends += 1;
      if (this.consecutiveResends >= MAX_CONSECUTIVE_RESENDS) {
        this.host.triggerError(`Printer keeps requesting line ${requested} again and again, communication stuck`);
        return 'ignore';
      }
    } else {
      this.consecutiveResendNumber = requested;
      this.consecutiveResends = 1;
    }
    if (!inHistory || requested > lastSentNumber) {
      const message = `Should resend line ${requested} but no sufficient history is available, can't resend`;
      this.host.warn(message);
      // Mid-print nothing can rescue the job (OctoPrint errors out); idle, the next line simply carries on.
      if (this.host.printing()) this.host.triggerError(message);
      return 'ignore';
    }
    return 'resend';
  }

  /** A resend from `requested` starts; `inFlightAfter` lines sent after it will each draw a duplicate request. */
  expectDuplicates(requested: number, inFlightAfter: number): void {
    this.duplicateAllowance = Math.max(0, inFlightAfter);
    this.lastResendNumber = requested;
  }

  /** M110 went out: line numbers start again. */
  renumbered(): void {
    this.lastResendNumber = undefined;
  }

  /** Lines were confirmed: progress past a requested line ends a run of requests for it and the duplicate filter. */
  progressed(isConfirmed: (lineNumber: number) => boolean): void {
    if (this.consecutiveResendNumber !== undefined && isConfirmed(this.consecutiveResendNumber)) {
      this.consecutiveResends = 0;
    }
    if (this.lastResendNumber !== undefined && isConfirmed(this.lastResendNumber)) this.duplicateAllowance = 0;
  }

  /** The host forgot the lines in flight (a lost ok): no duplicate requests are expected from them any more. */
  inFlightForgotten(): void {
    this.duplicateAllowance = 0;
  }

  reset(): void {
    this.lastResendNumber = undefined;
    this.duplicateAllowance = 0;
    this.consecutiveResendNumber = undefined;
    this.consecutiveResends = 0;
  }

  private checkRatio(): void {
    if (this.ratioLogged || this.linesSent <= 100) return;
    const ratio = this.resendsReceived / this.linesSent;
    if (ratio < 0.1) return;
    this.ratioLogged = true;
    this.host.warn(
      `Over 10% of transmitted lines have triggered resend requests (${(ratio * 100).toFixed(2)}%). The communication with the printer is unreliable. Please see https://faq.octoprint.org/communication-errors.`,
    );
  }
}
