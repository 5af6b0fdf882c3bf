import { HostPrintJob, type PrintJobHost } from './host-print-job.js';
import { SdPrintJob } from './sd-print-job.js';
import type { PrintJobControl, PrintJobOutcome, PrintJobProgress, PrintJobRequest } from './print-job.types.js';
import { CommandRejectedError, type PrinterComm } from './printer-comm.js';
import type { CommClock } from './printer-comm.options.js';

/**
 * At most one host print at a time on one connection; PrintJobControl for whoever owns the protocol (the comm
 * process, or the server with `serial.thread: main`).
 */
export class PrintJobRunner implements PrintJobControl {
  private job: HostPrintJob | SdPrintJob | undefined;
  private readonly listeners = new Set<(outcome: PrintJobOutcome) => void>();

  constructor(private readonly host: PrintJobHost) {}

  get printJob(): PrintJobProgress | undefined {
    return this.job?.progress;
  }

  async startPrint(request: PrintJobRequest): Promise<void> {
    const status = this.host.status;
    if (request.restart === true && this.job !== undefined && status.id === 'PAUSED') this.job.abortForRestart();
    else if (!status.flags.operational) throw new CommandRejectedError('Printer is not operational');
    else if (this.job !== undefined || status.flags.printing || status.flags.paused) {
      throw new CommandRejectedError('Printer already has an active print job');
    }
    const ended = (outcome: PrintJobOutcome): void => {
      if (this.job === job) this.job = undefined;
      for (const listener of this.listeners) listener(outcome);
    };
    const job: HostPrintJob | SdPrintJob =
      request.origin === 'sdcard'
        ? new SdPrintJob(this.host, request, ended)
        : new HostPrintJob(this.host, request, ended);
    this.job = job;
    try {
      await job.start();
    } catch (error) {
      if (this.job === job) this.job = undefined;
      if (this.host.status.id === 'PAUSED') this.host.setJobState('OPERATIONAL');
      throw error;
    }
  }

  pausePrint(): void {
    this.job?.pause();
  }

  resumePrint(): void {
    this.job?.resume();
  }

  cancelPrint(): void {
    this.job?.cancel();
  }

  onPrintEnded(listener: (outcome: PrintJobOutcome) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

/** The print engine's view of a PrinterComm. */
export function printJobHostOf(comm: PrinterComm, clock: CommClock, log: (message: string) => void): PrintJobHost {
  let removeSource: (() => void) | undefined;
  return {
    get status() {
      return comm.status;
    },
    get extruderCount() {
      return comm.extruderCount;
    },
    get sdProgress() {
      return comm.sd.progress;
    },
    send: (lines) => comm.send(lines),
    setLineSource: (source) => {
      removeSource?.();
      removeSource =
        source === undefined
          ? undefined
          : comm.addLineSource({ nextLine: () => source.next(), accepted: (line) => source.accepted?.(line) });
      if (source !== undefined) comm.wake();
    },
    wake: () => comm.wake(),
    setJobState: (state, sdTransfer) => comm.setJobState(state, sdTransfer),
    onState: (listener) => {
      comm.events.on('state', listener);
      return () => comm.events.off('state', listener);
    },
    onPosition: (listener) => {
      comm.events.on('position', listener);
      return () => comm.events.off('position', listener);
    },
    now: () => clock.now(),
    setTimeout: (fn, ms) => clock.setTimeout(fn, ms),
    clearTimeout: (handle) => clock.clearTimeout(handle),
    log,
  };
}
