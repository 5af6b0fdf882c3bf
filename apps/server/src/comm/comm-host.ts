import type { CommEngineIo } from './comm-engine.js';
import { CommEngine } from './comm-engine.js';
import {
  type CommCall,
  type CommEventMessage,
  type CommInit,
  type CommToServer,
  serializeError,
  type ServerToComm,
  type TrafficEntry,
} from './comm-channel.js';
import type { CommEventName, CommEvents, PrinterSnapshot } from './printer-comm.types.js';
import type { PrintJobProgress } from './print-job.types.js';

const PRINT_PROGRESS_MS = 250;
/**
 * How long a snapshot change nothing announced (SD progress, a target set by a streamed M104) may wait to be sent.
 * Comparing the snapshot is the costliest step of a flush; doing it on every streamed line was a fifth of the comm
 * process's work while printing.
 */
const QUIET_SNAPSHOT_MS = 50;

/** What the in-process channel may add for tests: a virtual clock, a custom simulator behind `VIRTUAL`. */
export type CommHostHooks = Pick<CommEngineIo, 'clock' | 'createVirtualPrinter'>;

/**
 * The comm side of the channel: runs the engine (port, PrinterComm, simulator), answers calls, and publishes the
 * printer's snapshot as deltas plus its events and conversation, batched once per event-loop turn. The same class
 * runs in the comm process (comm-process.ts) and in-process (InProcessChannel).
 */
export class CommHost {
  readonly engine: CommEngine;
  private trafficEnabled: boolean;
  private additionalPorts: readonly string[];
  private traffic: TrafficEntry[] = [];
  private events: CommEventMessage[] = [];
  private flushScheduled = false;
  /** What the server last received, field by field, as JSON (the objects are small and flat). */
  private readonly sent = new Map<keyof PrinterSnapshot, string>();
  private printJobSent: PrintJobProgress | null = null;
  private printJobSentAt = 0;
  private snapshotComparedAt = 0;
  private quietSnapshotTimer: NodeJS.Timeout | undefined;

  constructor(
    init: CommInit,
    private readonly post: (message: CommToServer) => void,
    private readonly onDisposed: () => void,
    hooks: CommHostHooks = {},
  ) {
    this.trafficEnabled = init.trafficEnabled;
    this.additionalPorts = init.additionalPorts;
    const log =
      (level: 'log' | 'warn' | 'error') =>
      (message: string): void =>
        this.post({ type: 'log', level, message });
    const collecting = (): boolean => this.trafficEnabled;
    this.engine = new CommEngine(init.settings, {
      ...hooks,
      additionalPorts: () => this.additionalPorts,
      diagnostics: { log: log('log'), warn: log('warn'), error: log('error') },
      traffic: {
        get enabled(): boolean {
          return collecting();
        },
        // Every line sent or received passes here, so this is also where a snapshot update gets scheduled
        // (SD progress, for one, changes with no event of its own).
        append: (direction, line) => {
          if (this.trafficEnabled) this.traffic.push({ direction, line });
          this.scheduleFlush();
        },
        rollOver: () => {
          this.traffic.push({ rollOver: true });
          this.scheduleFlush();
        },
      },
    });
    const forward = <K extends Exclude<CommEventName, 'terminal'>>(event: K, emitted: string = event): void => {
      this.engine.comm.events.on(emitted, (payload: CommEvents[K]) => {
        this.events.push({ event, payload } as CommEventMessage);
        this.scheduleFlush();
      });
    };
    for (const event of ['state', 'temperature', 'firmware', 'action', 'sdFiles'] as const) forward(event);
    // The outcome goes out with the state it left behind, so the server never sees an ended print as running.
    this.engine.printJobs.onPrintEnded((outcome) => {
      this.events.push({ event: 'printEnded', payload: outcome });
      this.flush();
    });
    forward('error', 'printerError');
    // The initial state, before any call.
    this.flush();
  }

  receive(message: ServerToComm): void {
    switch (message.type) {
      case 'call':
        void this.run(message.id, message.call);
        return;
      case 'fakeAck':
        this.engine.comm.fakeAck();
        this.scheduleFlush();
        return;
      case 'traffic':
        this.trafficEnabled = message.enabled;
        return;
      case 'printCommand':
        if (message.command === 'pause') this.engine.printJobs.pausePrint();
        else if (message.command === 'resume') this.engine.printJobs.resumePrint();
        else this.engine.printJobs.cancelPrint();
        this.scheduleFlush();
        return;
      case 'dispose':
        clearTimeout(this.quietSnapshotTimer);
        void this.engine.dispose().finally(() => {
          this.flush();
          this.post({ type: 'disposed' });
          this.onDisposed();
        });
        return;
    }
  }

  /** The server went away without a dispose: close the port. */
  dispose(): Promise<void> {
    return this.engine.dispose();
  }

  private async run(id: number, call: CommCall): Promise<void> {
    const comm = this.engine.comm;
    try {
      switch (call.method) {
        case 'connect':
          this.additionalPorts = call.additionalPorts;
          await comm.connect(call.parameters);
          return this.reply(id, {});
        case 'disconnect':
          await comm.disconnect();
          return this.reply(id, {});
        case 'send':
          await comm.send(call.lines);
          return this.reply(id, {});
        case 'listPorts':
          this.additionalPorts = call.additionalPorts;
          return this.reply(id, { value: await this.engine.listPorts() });
        case 'startPrint':
          await this.engine.printJobs.startPrint(call.request);
          return this.reply(id, {});
      }
    } catch (error) {
      this.reply(id, { error });
    }
  }

  /** Replies go after a flush, so the caller sees the state the command left behind when its promise settles. */
  private reply(id: number, outcome: { value?: string[] } | { error: unknown }): void {
    this.flush();
    if ('error' in outcome) this.post({ type: 'reply', id, error: serializeError(outcome.error) });
    else this.post({ type: 'reply', id, ...outcome });
  }

  /**
   * The print's progress changes with every line; the server reads it once a second, so it goes out at most every
   * PRINT_PROGRESS_MS (and at once when a print starts or ends), not in an update per line.
   */
  private printJobSnapshot(): PrintJobProgress | null {
    const job = this.engine.printJobs.printJob ?? null;
    const now = performance.now();
    if (job === null || this.printJobSent === null || now - this.printJobSentAt >= PRINT_PROGRESS_MS) {
      this.printJobSent = job;
      this.printJobSentAt = now;
    }
    return this.printJobSent;
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => this.flush(false));
  }

  /**
   * Posts what happened. The snapshot is compared when `complete` (replies, print ends), with events (a listener
   * must see the state they describe) and otherwise at most every QUIET_SNAPSHOT_MS, so a streamed line costs only
   * its traffic entry.
   */
  private flush(complete = true): void {
    this.flushScheduled = false;
    const now = performance.now();
    const compare = complete || this.events.length > 0 || now - this.snapshotComparedAt >= QUIET_SNAPSHOT_MS;
    const changed = compare ? this.changedFields(now) : {};
    if (!compare && this.quietSnapshotTimer === undefined) {
      this.quietSnapshotTimer = setTimeout(
        () => this.flush(false),
        QUIET_SNAPSHOT_MS - (now - this.snapshotComparedAt),
      );
    }
    if (Object.keys(changed).length === 0 && this.events.length === 0 && this.traffic.length === 0) return;
    this.post({ type: 'update', changed, events: this.events, traffic: this.traffic });
    this.events = [];
    this.traffic = [];
  }

  /** The snapshot fields that differ from what the server last received. */
  private changedFields(now: number): Partial<PrinterSnapshot> {
    this.snapshotComparedAt = now;
    clearTimeout(this.quietSnapshotTimer);
    this.quietSnapshotTimer = undefined;
    const current: PrinterSnapshot = { ...this.engine.comm.snapshot, printJob: this.printJobSnapshot() };
    const changed: Partial<PrinterSnapshot> = {};
    for (const key of Object.keys(current) as (keyof PrinterSnapshot)[]) {
      const json = JSON.stringify(current[key]);
      if (this.sent.get(key) === json) continue;
      this.sent.set(key, json);
      Object.assign(changed, { [key]: current[key] });
    }
    return changed;
  }
}
