import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import {
  PRINT_JOB_CONTROL,
  type PrintJobControl,
  type PrintJobOutcome,
  type PrintJobProgress,
} from '../comm/print-job.types.js';
import { PRINTER_FEED, type PrinterFeed, type PrinterStateId, type PrinterStatus } from '../comm/printer-comm.types.js';
import { isJobState } from '../comm/comm-state.js';
import { EventBus } from '../events/event-bus.service.js';
import type { PrintJobPayloadDto } from '../events/events.dto.js';
import { FileLibrary } from '../files/file-library.js';

interface Transfer {
  readonly local: string;
  readonly remote: string;
}

/**
 * The print events OctoPrint fires (spec octoprint-push §4), read off the printer's state changes and the print
 * engine's outcomes: PrintStarted/Paused/Resumed/Cancelling, then PrintDone, or PrintCancelled + PrintFailed, or
 * PrintFailed; each with its ChartMarked. An SD transfer runs through the same states and fires Transfer* instead.
 */
@Injectable()
export class JobEvents implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly unsubscribe: (() => void)[] = [];
  private previous: PrinterStateId;
  private transfer: Transfer | undefined;
  /** The last progress the engine reported, for the payloads of events fired after it let go of the job. */
  private lastProgress: PrintJobProgress | undefined;

  constructor(
    private readonly events: EventBus,
    private readonly library: FileLibrary,
    @Inject(PRINTER_FEED) private readonly feed: PrinterFeed,
    @Inject(PRINT_JOB_CONTROL) private readonly engine: PrintJobControl,
  ) {
    this.previous = feed.snapshot.status.id;
  }

  onApplicationBootstrap(): void {
    this.previous = this.feed.snapshot.status.id;
    this.unsubscribe.push(
      this.feed.subscribe('state', (status) => this.stateChanged(status)),
      this.engine.onPrintEnded((outcome) => this.ended(outcome)),
    );
  }

  onModuleDestroy(): void {
    for (const stop of this.unsubscribe.splice(0)) stop();
  }

  /** The next run is an SD transfer of `local` as `remote`, not a print (undefined: it did not start after all). */
  transferStarting(transfer: Transfer | undefined): void {
    this.transfer = transfer;
  }

  private stateChanged(status: PrinterStatus): void {
    const before = this.previous;
    const after = status.id;
    this.previous = after;
    this.lastProgress = this.engine.printJob ?? this.lastProgress;
    if (before === after) return;
    // Entering PRINTING from a state outside a job is a start too.
    const started = after === 'STARTING' || (after === 'PRINTING' && !isJobState(before));
    if (this.transfer !== undefined) {
      if (started) this.events.emit('TransferStarted', { ...this.transfer });
      return;
    }
    if (started) {
      this.lastProgress = undefined;
      this.events.emit('PrintStarted', this.job());
      this.events.emit('ChartMarked', { type: 'print', label: 'Start' });
    } else if (after === 'PAUSED') {
      this.events.emit('PrintPaused', { ...this.job(), ...this.position() });
      this.events.emit('ChartMarked', { type: 'pause', label: 'Pause' });
    } else if (before === 'PAUSED' && (after === 'RESUMING' || after === 'PRINTING')) {
      this.events.emit('PrintResumed', this.job());
      this.events.emit('ChartMarked', { type: 'resume', label: 'Resume' });
    } else if (after === 'CANCELLING') {
      this.events.emit('PrintCancelling', this.job());
    }
  }

  private ended(outcome: PrintJobOutcome): void {
    if (outcome.transfer === true) {
      const names = this.transfer ?? { local: outcome.path, remote: outcome.path };
      this.transfer = undefined;
      if (outcome.success) this.events.emit('TransferDone', { ...names, time: outcome.printTime });
      else this.events.emit('TransferFailed', names);
      return;
    }
    const job = { ...this.job(outcome), time: outcome.printTime };
    if (outcome.reason === 'done') {
      this.events.emit('ChartMarked', { type: 'done', label: 'Done' });
      this.events.emit('PrintDone', job);
    } else if (outcome.reason === 'cancelled') {
      this.events.emit('PrintCancelled', { ...job, ...this.position() });
      this.events.emit('ChartMarked', { type: 'cancel', label: 'Cancel' });
      this.events.emit('PrintFailed', { ...job, reason: 'cancelled' });
    } else {
      const fraction = this.fraction();
      this.events.emit('PrintFailed', {
        ...job,
        reason: 'error',
        ...(outcome.error === undefined ? {} : { error: outcome.error }),
        ...(fraction === undefined ? {} : { progress: fraction }),
      });
    }
  }

  /** OctoPrint's job payload: the selected file, its uploader (`owner`) and who started it (`user`). */
  private job(outcome?: PrintJobOutcome): PrintJobPayloadDto {
    const selected = this.library.selection.current;
    const path = outcome?.path ?? selected?.path ?? this.engine.printJob?.path ?? '';
    const origin = outcome?.origin ?? selected?.origin ?? this.engine.printJob?.origin ?? 'local';
    const same = selected !== undefined && selected.path === path && selected.origin === origin;
    const owner = origin === 'local' ? this.library.metadata.get(path)?.user : undefined;
    const size = same ? selected.size : (this.engine.printJob?.size ?? null);
    return {
      name: same ? selected.name : (path.split('/').at(-1) ?? path),
      path,
      origin,
      ...(size === null ? {} : { size }),
      ...(owner === undefined ? {} : { owner }),
      ...(same && selected.user !== undefined ? { user: selected.user } : {}),
    };
  }

  private fraction(): number | undefined {
    const job = this.engine.printJob ?? this.lastProgress;
    return job === undefined || job.size <= 0 ? undefined : job.filepos / job.size;
  }

  /** `progress` (whole percent) and `fileposition` where the print stands. */
  private position(): { progress?: number; fileposition?: number } {
    const job = this.engine.printJob ?? this.lastProgress;
    if (job === undefined) return {};
    const fraction = this.fraction();
    return { fileposition: job.filepos, ...(fraction === undefined ? {} : { progress: Math.round(fraction * 100) }) };
  }
}
