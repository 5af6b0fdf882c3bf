import type {
  ConnectionSettings,
  HotendClient,
  PrinterErrorInfo,
  PrinterState,
  PushCurrent,
  PushHistory,
  TemperatureData,
} from '@hotend/sdk';
import { messageOf, statusOf } from './errors';
import { Poller } from './poller';
import { sampleFromHistory, sortHeaters, TemperatureHistory } from './temperature-history';

/** Connection states in which the printer answers (`Operational`, `Printing`, ...), unlike `Closed` or `Error: ...`. */
export function isConnected(connectionState: string): boolean {
  return !/^(closed|offline|error|opening|connecting|detecting|unknown)/i.test(connectionState);
}

/** How often the printer is read while no push socket delivers updates. */
export const POLL_INTERVAL_MS = 1000;
/** While the socket delivers state and temperatures, only the connection options are read, this often. */
const LIVE_CONNECTION_INTERVAL_MS = 5000;

/**
 * The printer as the page sees it: connection, state, live temperatures and their history. It reads
 * `/api/connection` and `/api/printer` once a second; the history comes with the first successful read.
 */
export class PrinterStore {
  connection = $state<ConnectionSettings | null>(null);
  state = $state<PrinterState | null>(null);
  temperatures = $state<Record<string, TemperatureData>>({});
  /** Bumped on every history change, so the chart redraws without the store copying the columns. */
  historyVersion = $state(0);
  /** What went wrong when the printer is in an error state (`/api/printer/error`), or null. */
  errorInfo = $state<PrinterErrorInfo | null>(null);
  /** Why the last read failed (the server is down, the key was refused), or null. */
  readError = $state<string | null>(null);
  loaded = $state(false);

  readonly history = new TemperatureHistory();
  /** True while the push socket delivers state and temperatures (`applyPush`), so polling steps back. */
  live = false;
  private readonly poller = new Poller(POLL_INTERVAL_MS, () => this.tick());
  private historyLoaded = false;
  private lastConnectionRead = 0;

  constructor(private readonly client: HotendClient) {}

  get heaters(): string[] {
    return sortHeaters(Object.keys(this.temperatures));
  }

  get toolCount(): number {
    return this.heaters.filter((name) => name.startsWith('tool')).length;
  }

  get operational(): boolean {
    return this.state?.flags.operational ?? false;
  }

  get printing(): boolean {
    const flags = this.state?.flags;
    return flags !== undefined && (flags.printing || flags.paused || flags.pausing || flags.cancelling);
  }

  /** The state text: the printer's when it is connected, the connection's otherwise ("Closed", "Connecting"). */
  get stateText(): string {
    return this.state?.text ?? this.connection?.current.state ?? 'Unknown';
  }

  start(): void {
    this.poller.start();
  }

  stop(): void {
    this.poller.stop();
  }

  /** Reads now (after a command) instead of waiting for the next tick. */
  async refresh(): Promise<void> {
    await this.read();
  }

  /** A `history` or `current` from the push socket: state and temperatures without a request. */
  applyPush(message: PushHistory | PushCurrent, isHistory: boolean): void {
    this.state = message.state;
    if (isHistory) this.history.clear();
    const samples = message.temps.map(sampleFromHistory);
    this.history.addAll(samples);
    const latest = samples.at(-1);
    if (latest !== undefined) {
      const readings: Record<string, TemperatureData> = {};
      for (const [name, reading] of Object.entries(latest.heaters))
        readings[name] = { ...reading, offset: message.offsets[name] ?? 0 };
      this.temperatures = readings;
    } else if (!message.state.flags.operational) {
      this.temperatures = {};
    }
    this.historyVersion += 1;
    this.historyLoaded = true;
    this.loaded = true;
  }

  private async tick(): Promise<void> {
    if (!this.live) await this.read();
    else if (Date.now() - this.lastConnectionRead >= LIVE_CONNECTION_INTERVAL_MS) await this.readConnection();
  }

  private async readConnection(): Promise<void> {
    try {
      this.connection = await this.client.connection.getSettings();
      this.lastConnectionRead = Date.now();
      await this.readErrorInfo(this.connection.current.state);
      this.readError = null;
    } catch (error) {
      this.readError = messageOf(error);
    }
  }

  private async read(): Promise<void> {
    try {
      const connection = await this.client.connection.getSettings();
      this.connection = connection;
      // Without a connection /api/printer answers 409, which the browser would log as a failed request.
      if (isConnected(connection.current.state)) await this.readPrinter();
      else this.clearPrinter();
      this.readError = null;
      await this.readErrorInfo(connection.current.state);
    } catch (error) {
      this.readError = messageOf(error);
    } finally {
      this.loaded = true;
    }
  }

  /** The error details, read once each time the printer enters an error state. */
  private async readErrorInfo(connectionState: string): Promise<void> {
    const failed = /error/i.test(connectionState) || this.state?.flags.error === true;
    if (!failed) {
      this.errorInfo = null;
      return;
    }
    if (this.errorInfo === null) this.errorInfo = await this.client.printer.getErrorInfo();
  }

  private async readPrinter(): Promise<void> {
    const withHistory = !this.historyLoaded;
    try {
      const full = await this.client.printer.getFullState({ history: withHistory, exclude: ['sd'] });
      this.state = full.state ?? null;
      const { history, ...heaters } = full.temperature ?? {};
      if (withHistory && history !== undefined) {
        this.history.addAll(history.map(sampleFromHistory));
        this.historyLoaded = true;
      }
      this.temperatures = heaters as Record<string, TemperatureData>;
      this.history.add({ time: Date.now() / 1000, heaters: this.temperatures });
      this.historyVersion += 1;
    } catch (error) {
      // 409: the connection closed since it was read. The chart keeps its history.
      if (statusOf(error) !== 409) throw error;
      this.clearPrinter();
    }
  }

  private clearPrinter(): void {
    this.state = null;
    this.temperatures = {};
  }
}
