import {
  BadRequestException,
  ConflictException,
  Inject,
  Injectable,
  Logger,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import type { ResolvedKey } from '../auth/api-key.service.js';
import { PRINTER_COMM, type PrinterCommApi } from '../comm/printer-comm.types.js';
import {
  PRINT_JOB_CONTROL,
  type PrintJobControl,
  type PrintJobOutcome,
  type PrintScripts,
} from '../comm/print-job.types.js';
import type { PrinterProfileConfig } from '../config/config.schema.js';
import { HotendConfigService } from '../config/config.service.js';
import { statisticsOf } from '../files/file-entries.js';
import { FileLibrary } from '../files/file-library.js';
import type { SelectedFile } from '../files/file-selection.js';
import type { JobProgressDto, JobResponseDto } from './job.dto.js';
import { JobEvents } from './job-events.js';
import { PrintTimeEstimator } from './print-time-estimator.js';

const COMMANDS = ['start', 'restart', 'pause', 'cancel'] as const;
const PAUSE_ACTIONS = ['pause', 'resume', 'toggle'] as const;
const TICK_MS = 1000;

const NO_PROGRESS: JobProgressDto = {
  completion: null,
  filepos: null,
  printTime: null,
  printTimeLeft: null,
  printTimeLeftOrigin: null,
};

/** OctoPrint's default `afterPrintCancelled`, rendered for the profile: motors off, heaters off, fan off. */
export function defaultCancelScript(profile: PrinterProfileConfig): string {
  const tools = profile.extruder.sharedNozzle ? 1 : profile.extruder.count;
  return [
    'M84',
    ...Array.from({ length: tools }, (_, tool) => `M104 T${tool} S0`),
    ...(profile.heatedBed ? ['M140 S0'] : []),
    'M106 S0',
  ].join('\n');
}

/**
 * The Job API (spec octoprint-files-jobs §4): the selected file, progress on a fixed 1 s tick (never per read, so
 * polling does not change the estimate), the commands with OctoPrint's 409s, and the print history of each file.
 */
@Injectable()
export class JobService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('hotend.job');
  private progress: JobProgressDto = NO_PROGRESS;
  private estimator: PrintTimeEstimator | undefined;
  private timer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;
  /** Set when a print ended: progress stays at 100 after done, nulls after a cancel or failure. */
  private lastOutcome: PrintJobOutcome | undefined;
  /** The card file an SD transfer is writing: the job while it runs (as OctoPrint shows a transfer). */
  private transfer: SelectedFile | undefined;

  constructor(
    private readonly library: FileLibrary,
    private readonly config: HotendConfigService,
    @Inject(PRINTER_COMM) private readonly comm: PrinterCommApi,
    @Inject(PRINT_JOB_CONTROL) private readonly engine: PrintJobControl,
    private readonly events: JobEvents,
  ) {}

  onModuleInit(): void {
    const interrupted = this.library.metadata.recoverInterruptedPrint();
    if (interrupted !== undefined) {
      this.logger.warn(`The print of ${interrupted} was interrupted when Hotend stopped; recorded as failed`);
    }
    this.library.selection.setPrintStarter((user) => this.start(user));
    this.library.selection.setSdTransferStarter((path, remote, user) => this.transferToSd(path, remote, user));
    this.unsubscribe = this.engine.onPrintEnded((outcome) => this.onEnded(outcome));
    this.timer = setInterval(() => this.tick(), TICK_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
    this.unsubscribe?.();
  }

  private get profile(): PrinterProfileConfig {
    return this.config.get().printerProfile;
  }

  private get active(): boolean {
    const flags = this.comm.status.flags;
    return flags.printing || flags.paused;
  }

  getJob(): JobResponseDto {
    const selected = this.transfer ?? this.library.selection.current;
    const meta = selected?.origin === 'local' ? this.library.metadata.get(selected.path) : undefined;
    const statistics = meta === undefined ? undefined : statisticsOf(meta.history);
    const status = this.comm.status;
    return {
      job: {
        file: {
          name: selected?.name ?? null,
          path: selected?.path ?? null,
          display: selected?.display ?? null,
          origin: selected?.origin ?? null,
          size: selected?.size ?? null,
          date: selected?.date ?? null,
        },
        estimatedPrintTime: meta?.analysis?.estimatedPrintTime ?? null,
        averagePrintTime: statistics?.averagePrintTime[this.profile.id] ?? null,
        lastPrintTime: statistics?.lastPrintTime[this.profile.id] ?? null,
        filament: meta?.analysis?.filament ?? null,
        user: selected?.user ?? null,
      },
      progress: selected === undefined ? NO_PROGRESS : this.progress,
      state: status.text,
      ...(status.error === undefined || status.error === '' ? {} : { error: status.error }),
    };
  }

  /** POST /api/job, checks in OctoPrint's order: not operational, command, then the state of the job. */
  command(body: unknown, key: ResolvedKey): Promise<void> {
    if (!this.comm.status.flags.operational) throw new ConflictException('Printer is not operational');
    const record = body !== null && typeof body === 'object' ? (body as Record<string, unknown>) : {};
    const command = record['command'];
    if (typeof command !== 'string' || !(COMMANDS as readonly string[]).includes(command)) {
      throw new BadRequestException(`command is invalid, expected one of: ${COMMANDS.join(', ')}`);
    }
    const flags = this.comm.status.flags;
    switch (command) {
      case 'start':
        if (this.active) {
          throw new ConflictException("Printer already has an active print job, did you mean 'restart'?");
        }
        return this.start(key.name);
      case 'restart':
        if (!flags.paused) throw new ConflictException('Printer does not have an active print job or is not paused');
        return this.start(key.name, true);
      case 'pause':
        return Promise.resolve(this.pause(record['action']));
      default:
        if (!this.active) {
          throw new ConflictException("Printer is neither printing nor paused, 'cancel' command cannot be performed");
        }
        if (flags.finishing) throw new ConflictException('The print is finishing and can no longer be cancelled');
        if (!flags.cancelling) this.engine.cancelPrint();
        return Promise.resolve();
    }
  }

  private pause(action: unknown): void {
    if (!this.active) {
      throw new ConflictException("Printer is neither printing nor paused, 'pause' command cannot be performed");
    }
    const chosen = action ?? 'toggle';
    if (typeof chosen !== 'string' || !(PAUSE_ACTIONS as readonly string[]).includes(chosen)) {
      throw new BadRequestException(`Unknown action ${JSON.stringify(chosen)}, expected pause, resume or toggle`);
    }
    const flags = this.comm.status.flags;
    // Pause and resume in Cancelling or Finishing are no-ops, as in OctoPrint.
    if (flags.cancelling || flags.finishing) return;
    const paused = flags.paused;
    const resume = chosen === 'resume' || (chosen === 'toggle' && paused);
    if (resume && paused) this.engine.resumePrint();
    else if (!resume && !paused && !flags.pausing) this.engine.pausePrint();
  }

  scripts(): PrintScripts {
    const scripts = this.config.get().scripts;
    return {
      beforePrintStarted: scripts.beforePrintStarted ?? '',
      afterPrintDone: scripts.afterPrintDone ?? '',
      afterPrintCancelled: scripts.afterPrintCancelled ?? defaultCancelScript(this.profile),
      afterPrintPaused: scripts.afterPrintPaused ?? '',
      beforePrintResumed: scripts.beforePrintResumed ?? '',
    };
  }

  /** Starts the selected local file (from byte 0; `restart` from a pause). */
  async start(user: string | undefined, restart = false): Promise<void> {
    const selected = this.library.selection.current;
    if (selected === undefined) throw new ConflictException('No file selected');
    const meta = this.library.metadata.get(selected.path);
    const statistics = meta === undefined ? undefined : statisticsOf(meta.history);
    const average = statistics?.averagePrintTime[this.profile.id];
    const analysed = meta?.analysis?.estimatedPrintTime;
    this.estimator = new PrintTimeEstimator(
      average !== undefined
        ? { seconds: average, type: 'average' }
        : analysed !== undefined
          ? { seconds: analysed, type: 'analysis' }
          : undefined,
    );
    this.lastOutcome = undefined;
    this.progress = { ...NO_PROGRESS, completion: 0, filepos: 0, printTime: 0 };
    this.library.selection.select({ ...selected, ...(user === undefined ? {} : { user }) });
    if (selected.origin === 'sdcard') {
      // The printer reads the file; SD prints are not recorded in any history (as OctoPrint).
      await this.engine.startPrint({
        origin: 'sdcard',
        file: selected.path,
        path: selected.path,
        scripts: this.scripts(),
        logPositionOnPause: false,
        restart,
      });
      return;
    }
    await this.engine.startPrint({
      file: this.library.storage.absolute(selected.path.split('/')),
      path: selected.path,
      scripts: this.scripts(),
      logPositionOnPause: this.config.get().scripts.logPositionOnPause,
      restart,
    });
    // After the start (a restart ends the aborted run first, which clears the note).
    this.library.metadata.markPrinting(selected.path, this.profile.id);
  }

  /** Writes a stored file to the SD card (`M28`…`M29`); progress shows in the job like a print. */
  async transferToSd(path: string, remote: string, user: string | undefined): Promise<void> {
    this.lastOutcome = undefined;
    this.estimator = new PrintTimeEstimator(undefined, { window: 250, threshold: 0.1 });
    this.progress = { ...NO_PROGRESS, completion: 0, filepos: 0, printTime: 0 };
    this.logger.log(`Sending ${path} to the SD card as ${remote}${user === undefined ? '' : ` for ${user}`}`);
    const stored = await this.library.storage.entry(path.split('/'), 0);
    this.transfer = {
      origin: 'sdcard',
      path: remote,
      name: remote,
      display: remote,
      size: stored?.size ?? null,
      date: null,
      ...(user === undefined ? {} : { user }),
    };
    this.events.transferStarting({ local: path, remote });
    await this.engine
      .startPrint({
        file: this.library.storage.absolute(path.split('/')),
        path,
        scripts: this.scripts(),
        logPositionOnPause: false,
        transferTo: remote,
      })
      .catch((error: unknown) => {
        this.transfer = undefined;
        this.events.transferStarting(undefined);
        throw error;
      });
  }

  /** Recomputes progress once a second while a host print runs; frozen while paused, as OctoPrint shows it. */
  private tick(): void {
    const job = this.engine.printJob;
    if (job === undefined || this.comm.status.flags.paused) return;
    const fraction = job.size > 0 ? job.filepos / job.size : null;
    const { left, origin } = this.estimator?.estimate(fraction, job.printTime, job.printTime - job.heatupTime) ?? {
      left: null,
      origin: null,
    };
    this.progress = {
      completion: fraction === null ? null : fraction * 100,
      filepos: job.filepos,
      printTime: Math.trunc(job.printTime),
      printTimeLeft: left,
      printTimeLeftOrigin: origin,
    };
  }

  private onEnded(outcome: PrintJobOutcome): void {
    this.lastOutcome = outcome;
    const size = this.library.selection.current?.size ?? null;
    // After a transfer the job is the selection again, whose own progress is none.
    if (outcome.transfer === true) this.transfer = undefined;
    this.progress =
      outcome.reason === 'done' && outcome.transfer !== true
        ? {
            completion: 100,
            filepos: size,
            printTime: Math.trunc(outcome.printTime),
            printTimeLeft: 0,
            printTimeLeftOrigin: null,
          }
        : NO_PROGRESS;
    if (outcome.origin === 'sdcard' || outcome.transfer === true) return;
    this.library.metadata.clearPrinting();
    this.library.metadata.addHistory(outcome.path, {
      timestamp: Date.now() / 1000,
      success: outcome.success,
      ...(outcome.success ? { printTime: outcome.printTime } : {}),
      printerProfile: this.profile.id,
    });
    this.logger.log(
      `Print of ${outcome.path} ${outcome.reason === 'done' ? 'done' : outcome.reason === 'cancelled' ? 'cancelled' : `failed: ${outcome.error ?? ''}`} after ${outcome.printTime.toFixed(1)} s`,
    );
  }

  /** The outcome of the last print since start, if any (for tests and the push socket). */
  get lastPrintOutcome(): PrintJobOutcome | undefined {
    return this.lastOutcome;
  }
}
