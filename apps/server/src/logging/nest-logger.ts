import { Injectable, type LoggerService } from '@nestjs/common';
import type { Level } from 'pino';
import { isLoggerName } from './log-levels.js';
import { HotendLogService } from './log.service.js';

/** Where Nest's own messages (contexts such as `RoutesResolver`, `NestFactory`) go. */
const NEST_LOGGER = 'hotend.nest';

function describe(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value instanceof Error) return value.stack ?? `${value.name}: ${value.message}`;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/**
 * Nest's `LoggerService` on top of the named pino loggers: `new Logger('hotend.system').log(...)` writes to
 * `hotend.log` as logger `hotend.system`, so its level applies. Installed with `app.useLogger(...)`.
 */
@Injectable()
export class HotendNestLogger implements LoggerService {
  constructor(private readonly logs: HotendLogService) {}

  log(message: unknown, ...optionalParams: unknown[]): void {
    this.write('info', message, optionalParams);
  }

  error(message: unknown, ...optionalParams: unknown[]): void {
    this.write('error', message, optionalParams);
  }

  warn(message: unknown, ...optionalParams: unknown[]): void {
    this.write('warn', message, optionalParams);
  }

  debug(message: unknown, ...optionalParams: unknown[]): void {
    this.write('debug', message, optionalParams);
  }

  verbose(message: unknown, ...optionalParams: unknown[]): void {
    this.write('trace', message, optionalParams);
  }

  fatal(message: unknown, ...optionalParams: unknown[]): void {
    this.write('fatal', message, optionalParams);
  }

  private write(level: Level, message: unknown, optionalParams: unknown[]): void {
    // Nest passes the context last (a Logger with a context always appends it, possibly after `undefined`).
    const params = [...optionalParams];
    const last = params.length > 0 ? params[params.length - 1] : undefined;
    const context = typeof last === 'string' && params.length > 0 ? (params.pop() as string) : undefined;
    while (params.length > 0 && params[params.length - 1] === undefined) params.pop();

    const own = context !== undefined && isLoggerName(context);
    // Nest's own news (route mapping, modules initialised) is for debugging, not for the first-run console.
    if (!own && level === 'info') level = 'debug';
    const logger = this.logs.logger(own ? context : NEST_LOGGER);
    if (!logger.isLevelEnabled(level)) return;
    let text = describe(message);
    if (!own && context !== undefined) text = `[${context}] ${text}`;
    for (const extra of params) text += `\n${describe(extra)}`;
    logger[level](text);
  }
}
