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
import type { TemperatureHistoryEntryDto } from '../printer/printer.dto.js';
import { commEventsFor } from './comm-events.js';
import type { PushJobDto } from './push-messages.dto.js';
import { frameOf, type HistoryParts, type StateBase, type StateFrame, temperaturePoint } from './push-state.js';
import { TerminalRing } from './terminal-ring.js';

/** OctoPrint's state monitor: at most one `current` per 0.5 s, trailing edge, so the last change always goes out. */
export const BASE_INTERVAL_MS = 500;
/** `history` carries the last 300 terminal lines and messages. */
export const HISTORY_LINES = 300;

const NO_JOB: PushJobDto = {
  file: { name: null, path: null, display: null, origin: null, size: null, date: null },
  estimatedPrintTime: null,
  averagePrintTime: null,
  lastPrintTime: null,
  filament: null,
  user: null,
};

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
    );
  }

  onModuleDestroy(): void {
    for (const stop of this.unsubscribe.splice(0)) stop();
    this.watchTerminal(false);
    clearTimeout(this.flushTimer);
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
    const { text, flags, error } = this.feed.snapshot.status;
    return {
      state: { text, flags: { ...flags }, error: error ?? '' },
      job: NO_JOB,
      progress: { completion: null, filepos: null, printTime: null, printTimeLeft: null, printTimeLeftOrigin: null },
      currentZ: null,
      offsets: {},
      resends: { count: 0, transmitted: 0, ratio: 0 },
      busyFiles: [],
      markings: [],
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
