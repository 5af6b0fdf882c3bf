import type { EventEmitter } from 'node:events';
import { isOperationalState, stateFlags, stateText } from './comm-state.js';
import type {
  ConnectionParameters,
  CurrentConnection,
  PrinterErrorInfo,
  PrinterStateId,
  PrinterStatus,
} from './printer-comm.types.js';

/** What the state shows besides its id: whether an SD print runs, whether the card is ready. */
export interface SdState {
  readonly printing: boolean;
  readonly ready: boolean;
}

/**
 * The printer's state as OctoPrint shows it: the state id with its text and flags, the port and baud rate of the
 * connection, the error that ended it. Each change is a `state` event on `events` (and an error a `printerError`).
 */
export class ConnectionState {
  private state: PrinterStateId = 'CLOSED';
  private errorText: string | undefined;
  private lastErrorInfo: PrinterErrorInfo | undefined;
  private current: CurrentConnection = { state: 'Closed', port: null, baudrate: null };
  private everOpened = false;
  /** The job writes a file to the SD card (`M28`…`M29`) rather than printing. */
  private sdTransfer = false;

  constructor(
    private readonly events: EventEmitter,
    private readonly sd: SdState,
    private readonly log: (message: string) => void,
  ) {}

  get id(): PrinterStateId {
    return this.state;
  }

  get operational(): boolean {
    return isOperationalState(this.state);
  }

  get status(): PrinterStatus {
    const status: PrinterStatus = {
      id: this.state,
      text: stateText(this.state, { sdPrinting: this.sd.printing, sdTransfer: this.sdTransfer }),
      flags: stateFlags(this.state, { sdReady: this.sd.ready }),
    };
    if (this.errorText !== undefined) status.error = this.errorText;
    return status;
  }

  get connection(): CurrentConnection {
    // OctoPrint says `Closed` until the first connection attempt, `Offline` after a disconnect.
    return { ...this.current, state: this.everOpened ? this.status.text : 'Closed' };
  }

  get lastError(): PrinterErrorInfo | undefined {
    return this.lastErrorInfo;
  }

  /** A connection attempt starts: the previous error is cleared. */
  attempting(): void {
    this.everOpened = true;
    this.errorText = undefined;
  }

  /** The port being opened. */
  opening(port: ConnectionParameters['port'], baudrate: number): void {
    this.current = { state: this.status.text, port, baudrate };
  }

  /** Closed on request: the connection shows as `Offline`. */
  disconnected(): void {
    this.set('CLOSED');
    this.current = { ...this.current, state: 'Offline' };
  }

  set(state: PrinterStateId): void {
    if (state === this.state) return;
    const from = stateText(this.state, { sdPrinting: this.sd.printing });
    this.state = state;
    const to = stateText(state, { sdPrinting: this.sd.printing });
    this.log(`Changing monitoring state from "${from}" to "${to}"`);
    this.announce();
  }

  /** Enters `state` showing `message` as the error. */
  fail(message: string, state: PrinterStateId): void {
    this.errorText = message;
    this.set(state);
  }

  /** The print engine's states; an SD transfer shows its own texts. */
  setJob(state: PrinterStateId, sdTransfer: boolean): void {
    this.sdTransfer = sdTransfer && state !== 'OPERATIONAL';
    if (this.operational) this.set(state);
  }

  recordError(info: PrinterErrorInfo): void {
    this.lastErrorInfo = info;
    // Not `error`: an EventEmitter throws an `error` event nobody listens to.
    this.events.emit('printerError', info);
  }

  /** The status changed without a new id (SD printing, a transfer's texts). */
  announce(): void {
    this.current = { ...this.current, state: this.status.text };
    this.events.emit('state', this.status);
  }
}
