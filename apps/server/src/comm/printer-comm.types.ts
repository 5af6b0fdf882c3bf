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

/** DI token for PrinterCommApi, provided globally by CommModule. */
export const PRINTER_COMM = Symbol('PRINTER_COMM');
