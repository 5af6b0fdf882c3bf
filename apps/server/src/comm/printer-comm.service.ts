import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
  Optional,
} from '@nestjs/common';
import { HotendConfigService } from '../config/config.service.js';
import { HOTEND_LOG, type HotendLogApi } from '../logging/logging.types.js';
import {
  type CommCall,
  type CommChannel,
  type CommToServer,
  type CommUpdate,
  reviveError,
  type ServerToComm,
} from './comm-channel.js';
import { commSettings } from './comm-engine.js';
import { initialSnapshot, lostSnapshot } from './comm-state.js';
import { ConnectionLostError } from './printer-comm.js';
import type { PrintJobControl, PrintJobOutcome, PrintJobProgress, PrintJobRequest } from './print-job.types.js';
import type {
  CommEventName,
  CommEvents,
  ConnectionParameters,
  CurrentConnection,
  HeaterReadings,
  PrinterCommApi,
  PrinterErrorInfo,
  PrinterFeed,
  PrinterSnapshot,
  PrinterStatus,
  SdFileEntry,
  SdStatus,
  TemperatureSample,
  TerminalLine,
} from './printer-comm.types.js';
import { TemperatureHistory } from './temperature-history.js';

/** DI token of the CommChannel the service talks through (CommModule provides it; tests may choose one). */
export const COMM_CHANNEL = Symbol('COMM_CHANNEL');

interface PendingCall {
  resolve(value: string[] | undefined): void;
  reject(error: Error): void;
}

type Listener<K extends CommEventName> = (payload: CommEvents[K]) => void;

/**
 * The server's single printer connection and its only mirror of the printer: the comm layer runs behind a
 * CommChannel (a child process by default), publishes its PrinterSnapshot as deltas plus events, and this service
 * keeps the latest snapshot (reads are synchronous and never touch the port), the 30-minute temperature history and
 * the SD listing, and hands events to subscribers. Calls are messages answered by id, with the comm layer's error
 * classes rebuilt on this side. Autoconnects on start and disconnects on shutdown.
 */
@Injectable()
export class PrinterCommService
  implements PrinterCommApi, PrinterFeed, PrintJobControl, OnApplicationBootstrap, OnModuleDestroy
{
  private readonly logger = new Logger('hotend.comm');
  private state: PrinterSnapshot = initialSnapshot();
  private readonly history = new TemperatureHistory();
  private files: readonly SdFileEntry[] = [];
  private readonly listeners = new Map<CommEventName, Set<Listener<CommEventName>>>();
  private readonly pending = new Map<number, PendingCall>();
  private nextId = 1;
  private trafficEnabled = false;
  /** Set by shutdown: a comm side that ends after it is not started again. */
  private closed = false;
  /**
   * How the printer looked when its comm process died: shown until the next connect, even once a fresh process
   * (started by a port listing) reports its own idle state.
   */
  private lost: Pick<PrinterSnapshot, 'status' | 'connection' | 'lastError'> | undefined;

  constructor(
    private readonly config: HotendConfigService,
    @Inject(COMM_CHANNEL) private readonly channel: CommChannel,
    @Optional() @Inject(HOTEND_LOG) private readonly logs?: HotendLogApi,
  ) {
    this.start();
  }

  onApplicationBootstrap(): void {
    const { serial } = this.config.get();
    if (!serial.autoconnect || serial.port === undefined) return;
    this.connect({ port: serial.port, baudrate: serial.baudrate ?? 0 }).catch((error: unknown) =>
      this.logger.warn(
        `Autoconnect to ${serial.port} failed: ${error instanceof Error ? error.message : String(error)}`,
      ),
    );
  }

  async onModuleDestroy(): Promise<void> {
    this.closed = true;
    await this.channel.close();
  }

  get snapshot(): PrinterSnapshot {
    return this.state;
  }
  get status(): PrinterStatus {
    return this.state.status;
  }
  get connection(): CurrentConnection {
    return this.state.connection;
  }
  get heaters(): HeaterReadings {
    return this.state.heaters;
  }
  get sd(): SdStatus {
    return this.state.sd;
  }
  get lastError(): PrinterErrorInfo | undefined {
    return this.state.lastError ?? undefined;
  }
  get temperatureHistory(): readonly TemperatureSample[] {
    return this.history.all;
  }
  get sdFiles(): readonly SdFileEntry[] {
    return this.files;
  }

  subscribe<K extends CommEventName>(event: K, listener: Listener<K>): () => void {
    let set = this.listeners.get(event);
    if (set === undefined) {
      set = new Set();
      this.listeners.set(event, set);
    }
    const entry = listener as unknown as Listener<CommEventName>;
    set.add(entry);
    if (event === 'terminal') this.updateTraffic();
    return () => {
      set.delete(entry);
      if (event === 'terminal') this.updateTraffic();
    };
  }

  async connect(parameters: ConnectionParameters): Promise<void> {
    this.lost = undefined;
    await this.call({ method: 'connect', parameters, additionalPorts: this.additionalPorts() });
  }
  async disconnect(): Promise<void> {
    await this.call({ method: 'disconnect' });
  }
  fakeAck(): void {
    this.post({ type: 'fakeAck' });
  }
  async send(lines: string | readonly string[]): Promise<void> {
    await this.call({ method: 'send', lines: typeof lines === 'string' ? [lines] : [...lines] });
  }
  // ---------------------------------------------------------------- printing (PrintJobControl)

  get printJob(): PrintJobProgress | undefined {
    return this.state.printJob ?? undefined;
  }
  async startPrint(request: PrintJobRequest): Promise<void> {
    await this.call({ method: 'startPrint', request });
  }
  pausePrint(): void {
    this.post({ type: 'printCommand', command: 'pause' });
  }
  resumePrint(): void {
    this.post({ type: 'printCommand', command: 'resume' });
  }
  cancelPrint(): void {
    this.post({ type: 'printCommand', command: 'cancel' });
  }
  onPrintEnded(listener: (outcome: PrintJobOutcome) => void): () => void {
    return this.subscribe('printEnded', listener);
  }

  async listPorts(): Promise<string[]> {
    return (await this.call({ method: 'listPorts', additionalPorts: this.additionalPorts() })) ?? [];
  }

  /**
   * Starts the comm side. The first one starts with the server; after one ended unexpectedly (a crash in a native
   * module, a kill), the next call that needs the port starts a fresh one, so a connect from the UI recovers.
   */
  private start(): void {
    this.trafficEnabled = this.wantsTraffic();
    this.channel.start(
      {
        settings: commSettings(this.config.get()),
        trafficEnabled: this.trafficEnabled,
        additionalPorts: this.additionalPorts(),
      },
      { message: (message) => this.receive(message), lost: (reason) => this.onLost(reason) },
    );
  }

  private additionalPorts(): string[] {
    return [...this.config.get().serial.additionalPorts];
  }

  private call(call: CommCall): Promise<string[] | undefined> {
    const restartable = call.method === 'connect' || call.method === 'listPorts';
    if (!this.channel.running && !this.closed && restartable) this.start();
    if (!this.channel.running) return Promise.reject(new ConnectionLostError('The comm process is not running'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.channel.hold(true);
      this.post({ type: 'call', id, call });
    });
  }

  private post(message: ServerToComm): void {
    if (this.channel.running) this.channel.post(message);
  }

  private receive(message: CommToServer): void {
    switch (message.type) {
      case 'update':
        this.apply(message);
        return;
      case 'log':
        this.logger[message.level](message.message);
        return;
      case 'reply': {
        const pending = this.pending.get(message.id);
        if (pending === undefined) return;
        this.pending.delete(message.id);
        if (this.pending.size === 0) this.channel.hold(false);
        if ('error' in message) pending.reject(reviveError(message.error));
        else pending.resolve(message.value);
        return;
      }
      case 'disposed':
        return;
    }
  }

  private apply(update: CommUpdate): void {
    this.state = { ...this.state, ...update.changed, ...this.lost };
    if (update.traffic.length > 0) {
      const serialLog = this.logs?.serial;
      const terminal: TerminalLine[] = [];
      for (const entry of update.traffic) {
        if ('rollOver' in entry) {
          serialLog?.rollOver();
          continue;
        }
        if (serialLog?.enabled === true) serialLog.append(entry.direction, entry.line);
        terminal.push(entry);
      }
      if (terminal.length > 0) this.emit('terminal', terminal);
    }
    for (const message of update.events) {
      if (message.event === 'temperature') this.history.add(message.payload);
      else if (message.event === 'sdFiles') this.files = message.payload;
      this.emit(message.event, message.payload);
    }
    // `serial.log` can be switched at run time; the comm side only collects lines while someone wants them.
    this.updateTraffic();
  }

  private emit<K extends CommEventName>(event: K, payload: CommEvents[K]): void {
    const set = this.listeners.get(event);
    if (set === undefined) return;
    for (const listener of set) {
      try {
        listener(payload);
      } catch (error) {
        this.logger.error(`A ${event} listener failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }

  private wantsTraffic(): boolean {
    return this.logs?.serial.enabled === true || (this.listeners.get('terminal')?.size ?? 0) > 0;
  }

  private updateTraffic(): void {
    const wanted = this.wantsTraffic();
    if (wanted === this.trafficEnabled) return;
    this.trafficEnabled = wanted;
    this.post({ type: 'traffic', enabled: wanted });
  }

  /** The comm side is gone: every call in flight fails and the printer shows as offline after an error. */
  private onLost(reason: string): void {
    if (!this.closed) this.logger.error(`${reason}; it starts again on the next connect`);
    for (const pending of this.pending.values()) pending.reject(new ConnectionLostError(reason));
    this.pending.clear();
    const { id } = this.state.status;
    if (this.closed || id === 'CLOSED' || id === 'CLOSED_WITH_ERROR') return;
    const { status, connection, lastError } = lostSnapshot(this.state, reason);
    this.lost = { status, connection, lastError };
    const job = this.state.printJob;
    this.state = { ...this.state, ...this.lost, printJob: null };
    this.emit('state', status);
    if (lastError !== null) this.emit('error', lastError);
    // A print cannot outlive its comm process: it ends as failed, with the reason.
    if (job !== undefined && job !== null) {
      this.emit('printEnded', {
        path: job.path,
        origin: job.origin,
        success: false,
        reason: 'error',
        printTime: job.printTime,
        error: reason,
      });
    }
  }
}
