import { Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import pino, { type Level, type Logger } from 'pino';
import type { LogLevelName } from '../config/config.schema.js';
import { HotendConfigService } from '../config/config.service.js';
import { ActiveLogFile } from './log-file.js';
import { formatLocalDate, formatLogLine, formatPinoRecord, formatSerialLine, levelLabel } from './log-format.js';
import { effectiveLevel, isLoggerName, validateLevelMap } from './log-levels.js';
import { pruneRotatedLogs } from './log-retention.js';
import type { HotendLogApi, SerialLogApi } from './logging.types.js';

export const MAIN_LOG_NAME = 'hotend.log';
export const SERIAL_LOG_NAME = 'serial.log';

/** Loggers every Hotend has, listed by the logging plugin even before they wrote anything. */
export const KNOWN_LOGGERS: readonly string[] = [
  'hotend',
  'hotend.client',
  'hotend.comm',
  'hotend.connection',
  'hotend.http',
  'hotend.nest',
  'hotend.printer',
  'hotend.system',
];

const LEVEL_LABELS = Object.fromEntries(
  Object.entries(pino.levels.values).map(([level, value]) => [level, levelLabel(value)]),
) as Record<Level, string>;

/** How often the files are checked for a new day, a deleted active file and retention. */
const MAINTENANCE_INTERVAL_MS = 60_000;

/**
 * Hotend's own log files in `<basedir>/logs`: `hotend.log` (named pino loggers, one readable line per record)
 * and `serial.log` (the printer conversation). Rotates daily to `<name>.<date>`, prunes by age and total size,
 * and changes logger levels at run time.
 */
@Injectable()
export class HotendLogService implements HotendLogApi, OnModuleInit, OnApplicationShutdown {
  readonly serial: SerialLogApi;
  private readonly mainFile: ActiveLogFile;
  private serialFile: ActiveLogFile | undefined;
  private readonly root: Logger;
  private readonly loggers = new Map<string, Logger>();
  private echoToConsole = false;
  private maintenanceTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly config: HotendConfigService) {
    this.mainFile = new ActiveLogFile(this.folder, MAIN_LOG_NAME);
    const formatted = { write: (record: string): void => this.writeLine(formatPinoRecord(record)) };
    // The root passes everything; each named child carries its own level.
    this.root = pino({ level: 'trace', base: undefined }, formatted);
    this.serial = this.createSerialLog();
  }

  private createSerialLog(): SerialLogApi {
    const enabled = (): boolean => this.config.get().serial.log && !this.closed;
    return {
      get enabled(): boolean {
        return enabled();
      },
      append: (direction, line): void => {
        if (enabled()) this.serialLog().write(formatSerialLine(Date.now(), direction, line));
      },
      rollOver: (): void => {
        // A serial.log left by an earlier run is rolled over too, not continued.
        if (!enabled()) return;
        this.serialLog().rotate(formatLocalDate(new Date()));
        this.prune();
      },
    };
  }

  /** The folder holding the log files. */
  get folder(): string {
    return this.config.paths.logs;
  }

  /** Names of the files currently being written (never pruned; reopened when deleted). */
  get activeFileNames(): string[] {
    return this.serialFile === undefined ? [MAIN_LOG_NAME] : [MAIN_LOG_NAME, SERIAL_LOG_NAME];
  }

  onModuleInit(): void {
    this.prune();
    this.scheduleMaintenance();
  }

  onApplicationShutdown(): void {
    this.close();
  }

  logger(name: string): Logger {
    const existing = this.loggers.get(name);
    if (existing !== undefined) return existing;
    const logging = this.config.get().logging;
    const created = this.root.child({ name }, { level: effectiveLevel(name, logging.levels, logging.defaultLevel) });
    this.loggers.set(name, created);
    return created;
  }

  /**
   * Logs plain messages from logger `name`, each one its level lets through: the lines `logger(name)[level]()`
   * would write, without pino's JSON record in between (which would only be parsed again here), and handed to
   * the file as one write: `/log` takes thousands of client messages a second in batches, and the file writer's
   * cost is per write.
   */
  writeMessages(name: string, messages: readonly { readonly level: Level; readonly text: string }[]): void {
    const logger = this.logger(name);
    const now = Date.now();
    let lines = '';
    for (const { level, text } of messages) {
      if (logger.isLevelEnabled(level)) lines += formatLogLine(now, name, LEVEL_LABELS[level], text);
    }
    if (lines !== '') this.writeLine(lines);
  }

  /** Also write every line to stdout (the console of `hotend` run by hand or under systemd). */
  setConsoleEcho(enabled: boolean): void {
    this.echoToConsole = enabled;
  }

  /** Every logger name worth offering: the known areas, the ones in use and the configured ones. */
  loggerNames(): string[] {
    const names = new Set<string>(KNOWN_LOGGERS);
    for (const name of this.loggers.keys()) if (isLoggerName(name)) names.add(name);
    for (const name of Object.keys(this.config.get().logging.levels)) names.add(name);
    return [...names].sort();
  }

  /** The configured levels (`logging.levels`). */
  configuredLevels(): Record<string, LogLevelName> {
    return { ...this.config.get().logging.levels };
  }

  /**
   * Replaces all configured levels, persists them to `config.yaml` and applies them to every logger at once.
   * The map must already be valid (see `validateLevelMap`); an invalid one is refused with an Error.
   */
  replaceLevels(levels: Record<string, LogLevelName>): Record<string, LogLevelName> {
    const { problems } = validateLevelMap(levels);
    if (problems.length > 0) throw new Error(`invalid levels: ${problems.join('; ')}`);
    this.config.persist(['logging', 'levels'], levels);
    this.applyLevels();
    return this.configuredLevels();
  }

  /** Resolves once everything logged so far is in the files (used before answering `/log` and downloads). */
  async flush(): Promise<void> {
    await Promise.all([this.mainFile.flush(), this.serialFile?.flush()]);
  }

  /** After a file was deleted through the API: an active one starts afresh at once. */
  fileDeleted(name: string): void {
    if (name === MAIN_LOG_NAME) this.mainFile.reopen();
    else if (name === SERIAL_LOG_NAME) this.serialFile?.reopen();
  }

  /** New day, deleted active files, retention. Public so tests and the timer share it. */
  maintain(now: Date = new Date()): void {
    if (this.closed) return;
    const today = formatLocalDate(now);
    for (const file of [this.mainFile, this.serialFile]) {
      if (file === undefined) continue;
      if (file.startDate < today) file.rotate(file.startDate);
      else file.reopenIfMissing();
    }
    this.prune(now.getTime());
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.maintenanceTimer !== undefined) clearTimeout(this.maintenanceTimer);
    this.mainFile.close();
    this.serialFile?.close();
  }

  private writeLine(lines: string): void {
    this.mainFile.write(lines);
    if (this.echoToConsole) process.stdout.write(lines);
  }

  private applyLevels(): void {
    const logging = this.config.get().logging;
    for (const [name, logger] of this.loggers) {
      logger.level = effectiveLevel(name, logging.levels, logging.defaultLevel);
    }
  }

  private prune(nowMs: number = Date.now()): void {
    const { retentionDays, maxTotalBytes } = this.config.get().logging;
    pruneRotatedLogs(this.folder, { retentionDays, maxTotalBytes }, nowMs);
  }

  private serialLog(): ActiveLogFile {
    this.serialFile ??= new ActiveLogFile(this.folder, SERIAL_LOG_NAME);
    return this.serialFile;
  }

  private scheduleMaintenance(): void {
    const now = new Date();
    const nextMidnight = new Date(now.getFullYear(), now.getMonth(), now.getDate() + 1).getTime();
    // Wake at midnight (plus a little, so the new day has surely begun) or every minute, whichever is first.
    const delay = Math.min(MAINTENANCE_INTERVAL_MS, nextMidnight - now.getTime() + 5);
    this.maintenanceTimer = setTimeout(() => {
      try {
        this.maintain();
      } catch (error) {
        this.logger('hotend.system').error({ err: error }, 'log maintenance failed');
      }
      if (!this.closed) this.scheduleMaintenance();
    }, delay);
    this.maintenanceTimer.unref();
  }
}
