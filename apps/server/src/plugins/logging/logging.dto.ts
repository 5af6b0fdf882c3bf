import { ApiProperty, type SchemaObject } from '@nestjs/swagger';
import { LOG_LEVELS, type LogLevelName } from '../../config/config.schema.js';

const LEVELS_SCHEMA = {
  type: 'object',
  additionalProperties: { type: 'string', enum: [...LOG_LEVELS] },
  example: { 'hotend.comm': 'debug', 'hotend.http': 'warn' },
} satisfies SchemaObject;

export class LogFileRefsDto {
  /** This file as a resource: `DELETE` removes it, `GET` downloads it. */
  resource!: string;
  /** Download URL (`/downloads/logs/<name>`). */
  download!: string;
}

export class LogFileDto {
  /** File name in the logs folder, e.g. `hotend.log` or the rotated `hotend.log.2026-11-20`. */
  name!: string;
  /** Size in bytes. */
  @ApiProperty({ type: 'integer' })
  size!: number;
  /** Last modification, seconds since the epoch. */
  @ApiProperty({ type: 'integer' })
  date!: number;
  refs!: LogFileRefsDto;
}

export class LogFilesResponseDto {
  files!: LogFileDto[];
  /** Bytes free (for unprivileged users) on the file system holding the logs. */
  @ApiProperty({ type: 'integer' })
  free!: number;
  /** Size in bytes of the file system holding the logs. */
  @ApiProperty({ type: 'integer' })
  total!: number;
}

export class LoggingSetupResponseDto {
  /** Every logger name that can be given a level. */
  loggers!: string[];
  /** The configured levels; loggers not named here use `logging.defaultLevel`. */
  @ApiProperty({
    type: 'object',
    additionalProperties: LEVELS_SCHEMA.additionalProperties,
    example: LEVELS_SCHEMA.example,
  })
  levels!: Record<string, LogLevelName>;
}

export class SerialLogStatusDto {
  /** Whether `serial.log` is being written (config `serial.log`). */
  enabled!: boolean;
}

export class LoggingOverviewResponseDto {
  logs!: LogFilesResponseDto;
  setup!: LoggingSetupResponseDto;
  serial_log!: SerialLogStatusDto;
}

/** Levels map schema for `GET`/`PUT /plugin/logging/setup/levels` (a Record cannot be a DTO class). */
export const LOG_LEVELS_SCHEMA: SchemaObject = LEVELS_SCHEMA;
