import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import {
  type FirmwareInfo,
  PRINTER_FEED,
  type PrinterErrorInfo,
  type PrinterFeed,
  type PrinterStatus,
  type TemperatureSample,
  type TerminalLine,
} from '../comm/printer-comm.types.js';
import { EventBus } from '../events/event-bus.service.js';
import type { HotendEvent } from '../events/events.dto.js';
import { JobService } from '../job/job.service.js';
import type { TemperatureHistoryEntryDto } from '../printer/printer.dto.js';
import { PrinterService } from '../printer/printer.service.js';
import { commEventsFor } from './comm-events.js';
import type { BusyFileDto, MarkingDto } from './push-messages.dto.js';
import { frameOf, type HistoryParts, type StateBase, type StateFrame, temperaturePoint } from './push-state.js';
import { TerminalRing } from './terminal-ring.js';

/** OctoPrint's state monitor: at most one `current` per 0.5 s, trailing edge, so the last change always goes out. */
export const BASE_INTERVAL_MS = 500;
/** `history` carries the last 300 terminal lines and messages. */
export const HISTORY_LINES = 300;

/**
 * The job's progress is recomputed once a second; looking twice as often catches each change. The same look covers
 * the snapshot fields no comm event announces (Z, resend counts).
 */
const POLL_MS = 500;
/** Markings older than the temperature history's 30 minutes are dropped, as OctoPrint's cutoff does. */
const MARKINGS_CUTOFF_S = 30 * 60;
/** Events after which the job part of `current` (selection, progress, busy files) may have changed. */
const JOB_EVENT = /^(Print|File|Transfer|Metadata|Upload)/;

type FrameListener = (frame: StateFrame) => void;

/**
 * Turns the comm layer's feed (PrinterCommService: state, temperatures, terminal lines, firmware, errors) into the
 * push socket's `history` and `current` frames and the printer events on the bus. Frames go out only when
 * something changed, at most every 0.5 s, and carry every temperature point and terminal line since the last one.
 */
@Injectable()
export class PushStateSource implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly listeners = new Set<FrameListener>();
  private readonly unsubscribe: (() => void)[] = [];
  private stopTerminal: (() => void) | undefined;
  private flushTimer: NodeJS.Timeout | undefined;
  private jobTimer: NodeJS.Timeout | undefined;
  private lastPolled = '';
  private markings: MarkingDto[] = [];
  private lastFlushAt = 0;
  private dirty = false;

  private lastStatus: PrinterStatus;
  private pendingTemps: TemperatureHistoryEntryDto[] = [];
  private pendingLogs: string[] = [];
  private pendingMessages: string[] = [];
  private readonly recentLogs = new TerminalRing(HISTORY_LINES);
  private readonly recentMessages = new TerminalRing(HISTORY_LINES);

  constructor(
    @Inject(PRINTER_FEED) private readonly feed: PrinterFeed,
    private readonly events: EventBus,
    private readonly jobs: JobService,
    private readonly printer: PrinterService,
  ) {
    this.lastStatus = feed.snapshot.status;
  }

  onApplicationBootstrap(): void {
    this.lastStatus = this.feed.snapshot.status;
    this.unsubscribe.push(
      this.feed.subscribe('state', (status) => this.stateChanged(status)),
      this.feed.subscribe('temperature', (sample) => this.temperature(sample)),
      this.feed.subscribe('firmware', (firmware) => this.firmware(firmware)),
      this.feed.subscribe('error', (error) => this.error(error)),
      this.events.subscribe((event) => this.jobEvent(event)),
      this.printer.onOffsetsChanged(() => this.changed()),
    );
    this.lastPolled = this.polledFingerprint();
    this.jobTimer = setInterval(() => this.checkPolled(), POLL_MS);
    this.jobTimer.unref();
  }

  onModuleDestroy(): void {
    for (const stop of this.unsubscribe.splice(0)) stop();
    this.watchTerminal(false);
    clearTimeout(this.flushTimer);
    clearInterval(this.jobTimer);
  }

  onFrame(listener: FrameListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Terminal lines only cross the comm channel while someone subscribes to them, so the gateway turns this on
   * while a socket is open: `history` then holds the lines since the first socket opened (at most 300).
   */
  watchTerminal(on: boolean): void {
    if (on && this.stopTerminal === undefined) {
      this.stopTerminal = this.feed.subscribe('terminal', (lines) => this.terminal(lines));
    } else if (!on && this.stopTerminal !== undefined) {
      this.stopTerminal();
      this.stopTerminal = undefined;
    }
  }

  /** The full-state part of `history` and `current`, now. */
  base(): StateBase {
    const { status, currentZ, resends } = this.feed.snapshot;
    const { text, flags, error } = status;
    const { job, progress } = this.jobs.getJob();
    const busy = (flags.printing || flags.paused) && job.file.path !== null && job.file.origin !== null;
    const busyFiles: BusyFileDto[] = busy ? [{ origin: job.file.origin ?? 'local', path: job.file.path ?? '' }] : [];
    return {
      state: { text, flags: { ...flags }, error: error ?? '' },
      job,
      progress,
      currentZ,
      offsets: this.printer.temperatureOffsets,
      resends: { ...resends },
      busyFiles,
      markings: this.markings,
    };
  }

  /** The recent past for `history`: temperatures of the last 30 minutes, the last 300 lines and messages. */
  history(): HistoryParts {
    return {
      temps: this.feed.temperatureHistory.map(temperaturePoint),
      logs: this.recentLogs.lines(),
      messages: this.recentMessages.lines(),
    };
  }

  private stateChanged(status: PrinterStatus): void {
    // The snapshot may already show later states; the event's own status is the one this change is about.
    for (const event of commEventsFor(this.lastStatus, { status, connection: this.feed.snapshot.connection })) {
      this.events.emit(event.type, event.payload);
    }
    this.lastStatus = status;
    this.changed();
  }

  private temperature(sample: TemperatureSample): void {
    this.pendingTemps.push(temperaturePoint(sample));
    this.changed();
  }

  /** `Send: ...` and `Recv: ...` as OctoPrint's terminal shows them; host notes as they are. */
  private terminal(lines: readonly TerminalLine[]): void {
    for (const { direction, line } of lines) {
      const logged = direction === 'Info' ? line : `${direction}: ${line}`;
      this.pendingLogs.push(logged);
      this.recentLogs.push(logged);
      if (direction === 'Recv') {
        this.pendingMessages.push(line);
        this.recentMessages.push(line);
      }
    }
    this.changed();
  }

  private firmware(firmware: FirmwareInfo): void {
    if (firmware.name === null) return;
    const data: Record<string, string> = { FIRMWARE_NAME: firmware.name };
    for (const [capability, enabled] of Object.entries(firmware.capabilities)) data[capability] = enabled ? '1' : '0';
    this.events.emit('FirmwareData', { name: firmware.name, data });
  }

  private error(error: PrinterErrorInfo): void {
    this.events.emit('Error', {
      error: error.error,
      reason: error.reason,
      ...(error.consequence === null ? {} : { consequence: error.consequence }),
      ...(error.faq === null ? {} : { faq: error.faq }),
      ...(error.logs.length > 0 ? { logs: [...error.logs] } : {}),
    });
  }

  /** Print and file events change the job part; chart marks are kept for `markings`. */
  private jobEvent(event: HotendEvent): void {
    if (event.type === 'ChartMarked') {
      const { type, label } = event.payload as HotendEvent<'ChartMarked'>['payload'];
      const now = Date.now() / 1000;
      this.markings = [
        ...this.markings.filter((mark) => mark.time > now - MARKINGS_CUTOFF_S),
        { type, label, time: now },
      ];
      this.changed();
    } else if (JOB_EVENT.test(event.type)) {
      this.checkPolled();
    }
  }

  /** Progress moves on the job service's own tick, Z and resend counts without an event: a `current` goes out when they changed. */
  private checkPolled(): void {
    const fingerprint = this.polledFingerprint();
    if (fingerprint === this.lastPolled) return;
    this.lastPolled = fingerprint;
    this.changed();
  }

  private polledFingerprint(): string {
    const { job, progress } = this.jobs.getJob();
    const { status, currentZ, resends } = this.feed.snapshot;
    const { printing, paused } = status.flags;
    return JSON.stringify([job, progress, printing || paused, currentZ, resends]);
  }

  private changed(): void {
    this.dirty = true;
    if (this.flushTimer !== undefined) return;
    const wait = Math.max(0, this.lastFlushAt + BASE_INTERVAL_MS - Date.now());
    this.flushTimer = setTimeout(() => this.flush(), wait);
  }

  private flush(): void {
    this.flushTimer = undefined;
    if (!this.dirty) return;
    this.dirty = false;
    this.lastFlushAt = Date.now();
    const frame = frameOf(this.base(), this.pendingTemps, this.pendingLogs, this.pendingMessages);
    this.pendingTemps = [];
    this.pendingLogs = [];
    this.pendingMessages = [];
    for (const listener of this.listeners) listener(frame);
  }
}
