import type { LineWriter } from './line-writer.js';
import type { PrinterCommOptions } from './printer-comm.options.js';
import type { PrinterErrorInfo, PrinterStateId } from './printer-comm.types.js';
import { classifyError, errorReason } from './reply-parsers.js';
import { SerialWriteError } from './serial-link.js';
import type { Transmitter } from './transmitter.js';

export interface FaultHost {
  state(): PrinterStateId;
  /** Printing from the SD card (no emergency stop then: the print may survive a host error). */
  sdPrinting(): boolean;
  /** Records the error (lastError, the `printerError` event). */
  recordError(info: PrinterErrorInfo): void;
  /** Shows `message` in the Error state. */
  enterError(message: string): void;
  closeWithError(message: string): void;
  /** Fails a connect that still waits for the handshake; false when none waits. */
  failConnectAttempt(message: string): boolean;
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/**
 * What the host does about firmware errors and serial failures (marlin-protocol.md §3.10): resend-class errors feed
 * the transmitter, fatal ones end in the Error state with an emergency stop (heaters off) and a closed port, a
 * failed read or write closes with the error OctoPrint reports.
 */
export class CommFaults {
  constructor(
    private readonly options: Pick<PrinterCommOptions, 'disconnectOnErrors' | 'sendM112OnError' | 'profile'>,
    private readonly writer: LineWriter,
    private readonly transmitter: Transmitter,
    private readonly host: FaultHost,
  ) {}

  /** A firmware error line. */
  firmwareError(message: string): void {
    switch (classifyError(message)) {
      case 'missing-line-number':
        // No resend and no ok follow: fake the ok; the next line draws a proper resend.
        this.transmitter.noteCommError(message);
        this.transmitter.handleOk();
        return;
      case 'resend':
        this.transmitter.noteCommError(message);
        return;
      case 'sd':
      case 'unknown-command':
        return;
      case 'fatal':
        if (this.options.disconnectOnErrors === false && !/kill\(\) called|fatal:/i.test(message)) {
          this.host.warn(`Received an error from the printer's firmware: ${message}`);
          return;
        }
        this.fatal(message);
    }
  }

  /** A fatal error: Error state, emergency stop (heaters off) unless printing from SD, then close. */
  fatal(message: string): void {
    const state = this.host.state();
    if (state === 'ERROR' || state === 'CLOSED_WITH_ERROR') return;
    this.host.error(`Changing monitoring state to "Error": ${message}`);
    const sendM112 = this.options.sendM112OnError !== false && !this.host.sdPrinting();
    this.host.recordError({
      error: message,
      reason: errorReason(message),
      consequence: sendM112 ? 'emergency' : 'disconnect',
      faq: faqFor(errorReason(message)),
      logs: [...this.writer.terminalLines],
    });
    this.host.enterError(message);
    if (sendM112) this.emergencyStop();
    this.host.closeWithError(message);
  }

  /** Raw `M112` (for EMERGENCY_PARSER), then numbered `M112` and heaters off, as OctoPrint does. */
  emergencyStop(): void {
    this.writer.writeLine('M112');
    const lines = ['M112'];
    for (let tool = 0; tool < (this.options.profile?.extruders ?? 1); tool += 1) lines.push(`M104 T${tool} S0`);
    if (this.options.profile?.heatedBed !== false) lines.push('M140 S0');
    for (const command of lines) this.writer.writeLine(this.transmitter.numbered(command));
    this.host.log('Closing serial port due to emergency stop M112.');
  }

  /** The link closed on its own or failed. */
  linkFailed(error: Error): void {
    if (error instanceof SerialWriteError) {
      this.writeFailed(error.message);
      return;
    }
    this.serialFailed(
      `Unexpected error while reading serial port, please consult hotend.log for details: ${error.message} @ https://faq.octoprint.org/serialerror`,
    );
  }

  /** OctoPrint's reaction to a failed write: log it and close with an error (no M112: the port cannot take it). */
  writeFailed(reason: string): void {
    const message = `Unexpected error while writing to serial port: ${reason}`;
    this.host.error(message);
    this.serialFailed(message);
  }

  /** A serial failure: a connect still waiting for the printer fails with it, an open link closes with the error. */
  private serialFailed(message: string): void {
    if (this.host.failConnectAttempt(message)) return;
    const logs = [...this.writer.terminalLines];
    this.host.recordError({ error: message, reason: 'serial', consequence: null, faq: null, logs });
    this.host.closeWithError(message);
  }
}

function faqFor(reason: string): string | null {
  switch (reason) {
    case 'mintemp':
    case 'maxtemp':
    case 'runaway':
    case 'heating_failed':
    case 'probing_failed':
      return `https://faq.octoprint.org/fw-error-${reason.replace('_', '-')}`;
    default:
      return null;
  }
}
