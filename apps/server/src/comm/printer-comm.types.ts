import type { PrintJobOutcome, PrintJobProgress } from './print-job.types.js';
/**
 * The contract between the serial comm layer (`src/comm`, which implements it) and the API sections that read
 * printer state or send commands (`src/printer`, `src/connection`). Nothing here knows about HTTP.
 */

/** OctoPrint's state ids; `text` on PrinterStatus is OctoPrint's human string for each ("Operational", ...). */
export type PrinterStateId =
  | 'OFFLINE'
  | 'OPENING_SERIAL'
  | 'DETECT_SERIAL'
  | 'CONNECTING'
  | 'OPERATIONAL'
  | 'STARTING'
  | 'PRINTING'
  | 'PAUSING'
  | 'PAUSED'
  | 'RESUMING'
  | 'CANCELLING'
  | 'FINISHING'
  | 'CLOSED'
  | 'ERROR'
  | 'CLOSED_WITH_ERROR';

/** OctoPrint's `state.flags` object, as GET /api/printer returns it. */
export interface PrinterFlags {
  operational: boolean;
  printing: boolean;
  cancelling: boolean;
  pausing: boolean;
  resuming: boolean;
  finishing: boolean;
  closedOrError: boolean;
  error: boolean;
  paused: boolean;
  ready: boolean;
  sdReady: boolean;
}

export interface PrinterStatus {
  id: PrinterStateId;
  text: string;
  flags: PrinterFlags;
  /** The last error (fatal firmware error, lost connection), or undefined. */
  error?: string;
}

/** One heater: actual and target in °C (null until the firmware reported them). */
export interface HeaterReading {
  actual: number | null;
  target: number | null;
}

/** Heater readings keyed `tool0`, `tool1`, ..., `bed`, `chamber` (only the heaters the firmware reported). */
export type HeaterReadings = Record<string, HeaterReading>;

/** One entry of the temperature history ring (30 minutes). `time` is epoch seconds. */
export interface TemperatureSample {
  time: number;
  heaters: HeaterReadings;
}

export interface SdStatus {
  /** Card initialised and usable. */
  ready: boolean;
  /** Printing from the card (detected from `SD printing byte` / M27 reports). */
  printing: boolean;
  /** Bytes done and total while printing from SD. */
  progress?: { done: number; total: number };
}

/** Details of the last fatal error, for GET /api/printer/error. */
export interface PrinterErrorInfo {
  error: string;
  reason: string;
  consequence: string | null;
  faq: string | null;
  logs: string[];
}

export interface ConnectionParameters {
  /** A device path, `VIRTUAL` for the built-in simulator, or `AUTO`. */
  port: string;
  /** 0 means detect. */
  baudrate: number;
}

export interface CurrentConnection {
  state: string;
  port: string | null;
  baudrate: number | null;
}

/** What the firmware said about itself: M115's `FIRMWARE_NAME` and its `Cap:` lines (empty until the probe ran). */
export interface FirmwareInfo {
  name: string | null;
  capabilities: Record<string, boolean>;
}

/** Resend requests against lines sent, since the connection opened (OctoPrint's `resends`). */
export interface ResendStats {
  count: number;
  transmitted: number;
  /** `count / transmitted` in whole percent, rounded down; 0 before any line went out. */
  ratio: number;
}

/**
 * The printer as the rest of the server sees it: the one value the comm layer publishes across the channel (see
 * comm-channel.ts). Plain, structured-clone safe data; `lastError` is null (not undefined) so a delta can clear it.
 */
export interface PrinterSnapshot {
  status: PrinterStatus;
  connection: CurrentConnection;
  /** Latest readings. */
  heaters: HeaterReadings;
  sd: SdStatus;
  lastError: PrinterErrorInfo | null;
  firmware: FirmwareInfo;
  /** The Z of the last G0/G1 sent that named one (OctoPrint's `currentZ`); null until then. */
  currentZ: number | null;
  resends: ResendStats;
  /** The print in progress (null or absent when none); refreshed at most every 250 ms while printing. */
  printJob?: PrintJobProgress | null;
}

/** One line of the conversation with the printer, as the terminal and `serial.log` show it. */
export interface TerminalLine {
  direction: 'Send' | 'Recv' | 'Info';
  line: string;
}

/** A host action command (`//action:pause`, `//action:prompt_begin ...`). */
export interface HostAction {
  action: string;
  parameters: string;
}

/** One entry of an SD card listing (M20). */
export interface SdFileEntry {
  /** Path as the firmware knows it (8.3), with a leading slash. */
  name: string;
  size: number | undefined;
  /** Long file name, when the firmware reports it (`M20 L`). */
  longName: string | undefined;
  /** Modification time in epoch seconds (`M20 T`), when plausible. */
  date: number | undefined;
}

/**
 * What a subscriber of PrinterCommService receives, by event name. `terminal` carries the lines sent and received
 * since the previous batch, in order and each exactly once; lines are only collected while someone subscribes to
 * it (or `serial.log` is on), so an unwatched conversation costs nothing across the channel.
 */
export interface CommEvents {
  /** The printer state changed (also on SD print progress states). */
  state: PrinterStatus;
  /** A temperature report arrived. */
  temperature: TemperatureSample;
  terminal: readonly TerminalLine[];
  /** The firmware answered the M115 probe (after every handshake and external reset). */
  firmware: FirmwareInfo;
  /** A fatal error (firmware error, serial failure, a comm process that died); also in `lastError`. */
  error: PrinterErrorInfo;
  /** A host action command from the firmware. */
  action: HostAction;
  /** A new SD card listing (also an empty one when the card went away). */
  sdFiles: readonly SdFileEntry[];
  /** A print (or SD transfer) ended: done, cancelled or failed. */
  printEnded: PrintJobOutcome;
}

export type CommEventName = keyof CommEvents;

/**
 * What PrinterComm offers the rest of the server. Reads never touch the port; `send` queues and resolves once the
 * firmware acknowledged every line (or rejects when the printer is not operational or the connection drops).
 */
export interface PrinterCommApi {
  readonly status: PrinterStatus;
  readonly connection: CurrentConnection;
  /** Latest readings. */
  readonly heaters: HeaterReadings;
  /** Readings over the last 30 minutes, oldest first. */
  readonly temperatureHistory: readonly TemperatureSample[];
  readonly sd: SdStatus;
  readonly lastError: PrinterErrorInfo | undefined;
  connect(parameters: ConnectionParameters): Promise<void>;
  disconnect(): Promise<void>;
  /** Pretends an ok arrived (OctoPrint's `fake_ack`), to unstick a host waiting for a lost ok. */
  fakeAck(): void;
  /** Queues G-code lines in order; resolves when all were acknowledged. */
  send(lines: string | readonly string[]): Promise<void>;
  /** Serial ports that can be offered to connect to (always includes `VIRTUAL`). */
  listPorts(): Promise<string[]>;
}

/**
 * The printer as one value plus its events, for sections that follow it (the push socket, the job engine); the
 * server's PrinterCommService implements it besides PrinterCommApi, under the token PRINTER_FEED.
 */
export interface PrinterFeed {
  /** The whole printer state; PrinterCommApi's getters are its fields. */
  readonly snapshot: PrinterSnapshot;
  /** The card's files from the last `M20` listing. */
  readonly sdFiles: readonly SdFileEntry[];
  /** Readings over the last 30 minutes, oldest first. */
  readonly temperatureHistory: readonly TemperatureSample[];
  /**
   * Calls `listener` for every `event` from now on, in the order they happened; returns the unsubscribe function.
   * Listeners run on the server's event loop once `snapshot` shows the state they describe.
   */
  subscribe<K extends CommEventName>(event: K, listener: (payload: CommEvents[K]) => void): () => void;
}

/** DI token for PrinterFeed, provided globally by CommModule. */
export const PRINTER_FEED = Symbol('PRINTER_FEED');

/** DI token for PrinterCommApi, provided globally by CommModule. */
export const PRINTER_COMM = Symbol('PRINTER_COMM');
