import { type PrintJobHost, renderScript } from './host-print-job.js';
import type { PrintJobOutcome, PrintJobProgress, PrintJobRequest } from './print-job.types.js';
import type { PrinterStatus } from './printer-comm.types.js';

/**
 * A print from the printer's SD card (spec octoprint-files-jobs §5.10): the firmware reads the file; the host
 * starts it (`M23`, `M24`), pauses (`M25`), resumes (`M24`), cancels (`M25`, `M26 S0`) and follows `M27` progress.
 * The protocol ends it: `Done printing file` takes the state back to Operational.
 */
export class SdPrintJob {
  private startedAt = 0;
  private pausedTotal = 0;
  private pausedSince: number | undefined;
  private ended = false;
  private settingState = false;
  private readonly unsubscribe: (() => void)[] = [];

  constructor(
    private readonly host: PrintJobHost,
    private readonly request: PrintJobRequest,
    private readonly onEnd: (outcome: PrintJobOutcome) => void,
  ) {}

  get progress(): PrintJobProgress {
    const now = this.host.now();
    const paused = this.pausedTotal + (this.pausedSince === undefined ? 0 : now - this.pausedSince);
    const sd = this.host.sdProgress;
    return {
      path: this.request.path,
      origin: 'sdcard',
      size: sd?.total ?? 0,
      filepos: sd?.done ?? 0,
      printTime: Math.max(0, (now - this.startedAt - paused) / 1000),
      heatupTime: 0,
    };
  }

  async start(): Promise<void> {
    this.startedAt = this.host.now();
    this.unsubscribe.push(this.host.onState((status) => this.onProtocolState(status)));
    this.setState('STARTING');
    this.run(
      [...renderScript(this.request.scripts.beforePrintStarted, undefined), `M23 /${this.request.file}`, 'M24'],
      () => {
        if (this.host.status.id === 'STARTING') this.setState('PRINTING');
      },
    );
    return Promise.resolve();
  }

  pause(): void {
    const state = this.host.status.id;
    if (state !== 'STARTING' && state !== 'PRINTING' && state !== 'RESUMING') return;
    this.pausedSince = this.host.now();
    this.setState('PAUSING');
    this.run(['M25', ...renderScript(this.request.scripts.afterPrintPaused, undefined)], () => {
      if (this.host.status.id === 'PAUSING') this.setState('PAUSED');
    });
  }

  resume(): void {
    if (this.host.status.id !== 'PAUSED') return;
    if (this.pausedSince !== undefined) this.pausedTotal += this.host.now() - this.pausedSince;
    this.pausedSince = undefined;
    this.setState('RESUMING');
    this.run([...renderScript(this.request.scripts.beforePrintResumed, undefined), 'M24', 'M27'], () => {
      if (this.host.status.id === 'RESUMING') this.setState('PRINTING');
    });
  }

  cancel(): void {
    const state = this.host.status.id;
    if (state === 'CANCELLING' || state === 'FINISHING' || state === 'OPERATIONAL') return;
    this.setState('CANCELLING');
    this.run(['M25', 'M27', 'M26 S0', ...renderScript(this.request.scripts.afterPrintCancelled, undefined)], () => {
      this.end({ success: false, reason: 'cancelled' });
      if (this.host.status.id === 'CANCELLING') this.setState('OPERATIONAL');
    });
  }

  abortForRestart(): void {
    this.end({ success: false, reason: 'cancelled' });
  }

  private run(lines: string[], then: () => void): void {
    this.host.send(lines).then(
      () => {
        if (!this.ended) then();
      },
      (error: unknown) =>
        this.end({ success: false, reason: 'error', error: error instanceof Error ? error.message : String(error) }),
    );
  }

  private setState(
    state: 'STARTING' | 'PRINTING' | 'PAUSING' | 'PAUSED' | 'RESUMING' | 'CANCELLING' | 'OPERATIONAL',
  ): void {
    this.settingState = true;
    try {
      this.host.setJobState(state);
    } finally {
      this.settingState = false;
    }
  }

  /** `Done printing file` brings the protocol back to Operational: done. Anything else not ours: failed. */
  private onProtocolState(status: PrinterStatus): void {
    if (this.settingState || this.ended) return;
    if (status.id === 'OPERATIONAL') {
      this.end({ success: true, reason: 'done' });
      return;
    }
    if (status.flags.operational) return;
    this.end({ success: false, reason: 'error', error: status.error ?? `Printer went ${status.text}` });
  }

  private end(outcome: Omit<PrintJobOutcome, 'path' | 'printTime' | 'origin'>): void {
    if (this.ended) return;
    this.ended = true;
    for (const stop of this.unsubscribe.splice(0)) stop();
    this.onEnd({ ...outcome, path: this.request.path, origin: 'sdcard', printTime: this.progress.printTime });
  }
}
