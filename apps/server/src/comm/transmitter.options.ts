import type { FlowControlMode } from '../config/config.schema.js';

export interface TransmitterOptions {
  flowControl: FlowControlMode;
  /** Most lines in flight in send-ahead mode. */
  sendAheadLines: number;
  /** Firmware RX buffer in bytes; send-ahead never has more than this in flight. */
  rxBufferSize: number;
}

/** What the transmitter needs from the connection around it. */
export interface TransmitterHost {
  /** A link is open. */
  linked(): boolean;
  /** A link is open and the printer is operational: lines may go out. */
  ready(): boolean;
  /** A job is running (a resend beyond the history cannot be survived then). */
  printing(): boolean;
  writeLine(line: string): void;
  /** Host-side effects of a command going out (heater targets, tool selection). */
  commandSent(command: string, code: string): void;
  /** The M115 probe's ok arrived after its reply: the conversation is in step. */
  synchronised(): void;
  /** Whether the probe's FIRMWARE_NAME reply arrived. */
  firmwareInfoSeen(): boolean;
  communicationTimeoutMs(): number;
  triggerError(message: string): void;
  log(message: string): void;
  warn(message: string): void;
}
