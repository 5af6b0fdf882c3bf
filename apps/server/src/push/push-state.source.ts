import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { PRINTER_COMM, type PrinterCommApi, type PrinterStatus } from '../comm/printer-comm.types.js';
import { EventBus } from '../events/event-bus.service.js';
import type { TemperatureHistoryEntryDto } from '../printer/printer.dto.js';
import { commEventsFor } from './comm-events.js';
import type { PushJobDto } from './push-messages.dto.js';
import { frameOf, type HistoryParts, type StateBase, type StateFrame, temperaturePoint } from './push-state.js';

/** OctoPrint's state monitor: at most one `current` per 0.5 s, trailing edge, so the last change always goes out. */
export const BASE_INTERVAL_MS = 500;
/** How often the comm state is looked at (its reads are in-memory). */
const POLL_MS = 100;
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
 * Turns the comm layer's state into the push socket's `history` and `current` frames and fires the connection
 * events. It reads PrinterCommService's in-memory state on a short timer, and takes terminal lines from whoever
 * feeds `addTerminalLine`; frames go out only when something changed, at most every 0.5 s.
 */
@Injectable()
export class PushStateSource implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly listeners = new Set<FrameListener>();
  private poller: NodeJS.Timeout | undefined;
  private flushTimer: NodeJS.Timeout | undefined;
  private lastFlushAt = 0;
  private dirty = false;

  private lastStatus: PrinterStatus;
  private lastStateKey = '';
  private lastSampleTime = Number.NEGATIVE_INFINITY;
  private pendingTemps: TemperatureHistoryEntryDto[] = [];
  private pendingLogs: string[] = [];
  private pendingMessages: string[] = [];
  private readonly recentLogs: string[] = [];
  private readonly recentMessages: string[] = [];

  constructor(
    @Inject(PRINTER_COMM) private readonly comm: PrinterCommApi,
    private readonly events: EventBus,
  ) {
    this.lastStatus = comm.status;
  }

  onApplicationBootstrap(): void {
    this.lastStateKey = this.stateKey();
    this.lastSampleTime = this.comm.temperatureHistory.at(-1)?.time ?? Number.NEGATIVE_INFINITY;
    this.poller = setInterval(() => this.poll(), POLL_MS);
    this.poller.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.poller);
    clearTimeout(this.flushTimer);
  }

  onFrame(listener: FrameListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** One terminal line: `Send: ...`, `Recv: ...` or a host note. Firmware lines also go to `messages`. */
  addTerminalLine(line: string): void {
    this.pendingLogs.push(line);
    pushBounded(this.recentLogs, line);
    if (line.startsWith('Recv: ')) {
      const message = line.slice('Recv: '.length);
      this.pendingMessages.push(message);
      pushBounded(this.recentMessages, message);
    }
    this.changed();
  }

  /** The full-state part of `history` and `current`, now. */
  base(): StateBase {
    const { text, flags, error } = this.comm.status;
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
      temps: this.comm.temperatureHistory.map(temperaturePoint),
      logs: [...this.recentLogs],
      messages: [...this.recentMessages],
    };
  }

  private stateKey(): string {
    const { status, connection } = this.comm;
    return `${status.id}|${status.text}|${status.error ?? ''}|${JSON.stringify(status.flags)}|${connection.state}`;
  }

  private poll(): void {
    const status = this.comm.status;
    if (status.id !== this.lastStatus.id) {
      for (const event of commEventsFor(this.lastStatus, this.comm)) this.events.emit(event.type, event.payload);
    }
    this.lastStatus = status;
    const key = this.stateKey();
    if (key !== this.lastStateKey) {
      this.lastStateKey = key;
      this.changed();
    }
    const samples = this.comm.temperatureHistory;
    if ((samples.at(-1)?.time ?? this.lastSampleTime) > this.lastSampleTime) {
      for (let index = samples.length - 1; index >= 0; index -= 1) {
        const sample = samples[index];
        if (sample === undefined || sample.time <= this.lastSampleTime) break;
        this.pendingTemps.unshift(temperaturePoint(sample));
      }
      this.lastSampleTime = samples.at(-1)?.time ?? this.lastSampleTime;
      this.changed();
    }
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

function pushBounded(lines: string[], line: string): void {
  lines.push(line);
  if (lines.length > HISTORY_LINES) lines.splice(0, lines.length - HISTORY_LINES);
}
