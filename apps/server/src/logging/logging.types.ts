/**
 * The contract between Hotend's log files (`src/logging`, which implements it) and the code that logs.
 * Loggers are pino loggers named by area: `hotend.printer`, `hotend.comm`, `hotend.system`, `hotend.http`, ...
 */
import type { Logger } from 'pino';

/** `serial.log`: the printer conversation, one `Send: ...` / `Recv: ...` line each. */
export interface SerialLogApi {
  /** Whether `serial.log` is on (config `serial.log`); callers skip formatting work when it is off. */
  readonly enabled: boolean;
  append(direction: 'Send' | 'Recv' | 'Info', line: string): void;
  /** Starts a fresh file (the old one becomes a rotated file), called on every connect. */
  rollOver(): void;
}

export interface HotendLogApi {
  /** The named logger (created on first use, at the configured level; levels can change at run time). */
  logger(name: string): Logger;
  readonly serial: SerialLogApi;
}

/** DI token for HotendLogApi, provided globally by the logging module. */
export const HOTEND_LOG = Symbol('HOTEND_LOG');
