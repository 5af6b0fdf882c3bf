import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Put, Query, Req, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiHeader,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiProduces,
  ApiQuery,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { RequirePermission } from '../../auth/auth.decorators.js';
import { Permission } from '../../auth/permission.js';
import type { LogLevelName } from '../../config/config.schema.js';
import { externalBaseUrl } from '../../system/external-url.js';
import {
  LOG_LEVELS_SCHEMA,
  LogFilesResponseDto,
  LoggingOverviewResponseDto,
  LoggingSetupResponseDto,
} from './logging.dto.js';
import { type LogDownload, LoggingPluginService } from './logging.service.js';

function send(reply: FastifyReply, download: LogDownload): FastifyReply {
  return reply.status(download.status).headers(download.headers).send(download.body);
}

const TEXT_DOWNLOAD = {
  description: 'The file as text (206 with `Range`)',
  content: { 'text/plain': { schema: { type: 'string' } } },
} as const;
const RANGE_HEADER = { name: 'Range', required: false, description: 'One byte range, e.g. `bytes=0-1023`' } as const;

/** OctoPrint's Logging plugin: Hotend's log files and logger levels. */
@ApiTags('Logging')
@Controller('plugin/logging')
@RequirePermission(Permission.PLUGIN_LOGGING_MANAGE)
export class LoggingPluginController {
  constructor(private readonly service: LoggingPluginService) {}

  /**
   * Log files, logger setup and whether serial.log is on, in one answer.
   * @remarks What OctoPrint's Logging settings page loads: the same as the `logs` and `setup` calls together, plus
   * whether the serial conversation is being written to `serial.log`.
   */
  @Get('/')
  @ApiOkResponse({ type: LoggingOverviewResponseDto, description: 'Files, loggers and serial-log status.' })
  getLoggingOverview(@Req() request: FastifyRequest): Promise<LoggingOverviewResponseDto> {
    return this.service.getOverview(externalBaseUrl(request));
  }

  /**
   * The log files and the space left for them.
   * @remarks Every file in the logs folder (`hotend.log`, `serial.log` and rotated ones such as
   * `hotend.log.2026-11-20`) with size, modification time and download URL, and the free and total bytes of the
   * file system that holds them.
   */
  @Get('logs')
  @ApiOkResponse({ type: LogFilesResponseDto, description: 'The log files and the free and total bytes.' })
  listLogs(@Req() request: FastifyRequest): Promise<LogFilesResponseDto> {
    return this.service.listLogs(externalBaseUrl(request));
  }

  /**
   * Download a log file.
   * @remarks The same as `GET /downloads/logs/{filename}`: the file as text, with `Range` support. Only plain file
   * names of files directly in the logs folder are served.
   */
  @Get('logs/:filename')
  @ApiProduces('text/plain')
  @ApiHeader(RANGE_HEADER)
  @ApiOkResponse(TEXT_DOWNLOAD)
  @ApiNotFoundResponse({ description: 'No such log file' })
  async downloadLogResource(
    @Param('filename') filename: string,
    @Headers('range') range: string | undefined,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<FastifyReply> {
    return send(reply, await this.service.openDownload(filename, range, request.method === 'HEAD'));
  }

  /**
   * Delete a log file.
   * @remarks Deleting the active `hotend.log` or `serial.log` makes logging start a fresh one.
   */
  @Delete('logs/:filename')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Deleted.' })
  @ApiNotFoundResponse({ description: 'No such log file' })
  @ApiBadRequestResponse({ description: 'The name is not a plain file name' })
  deleteLog(@Param('filename') filename: string): Promise<void> {
    return this.service.deleteLog(filename);
  }

  /**
   * Every logger name and the configured levels.
   * @remarks `loggers` lists the names Hotend logs under (`hotend.comm`, `hotend.http`, ...); `levels` the levels
   * set in `logging.levels` of config.yaml.
   */
  @Get('setup')
  @ApiOkResponse({ type: LoggingSetupResponseDto, description: 'Logger names and configured levels.' })
  getLoggingSetup(): LoggingSetupResponseDto {
    return this.service.getSetup();
  }

  /**
   * The configured logger levels.
   * @remarks A map from logger name to level, as in `logging.levels` of config.yaml.
   */
  @Get('setup/levels')
  @ApiOkResponse({ schema: LOG_LEVELS_SCHEMA, description: 'The levels, by logger name.' })
  getLoggingLevels(): Record<string, LogLevelName> {
    return this.service.getLevels();
  }

  /**
   * Replace all configured logger levels.
   * @remarks The body is a `{logger: level}` map; it replaces `logging.levels` in config.yaml and applies from the
   * next line logged. Names are `hotend` or `hotend.<area>...`; levels are fatal, error, warn, info, debug, trace (OctoPrint's
   * `WARNING`, `CRITICAL` and Plex's `verbose` are accepted, case-insensitively).
   */
  @Put('setup/levels')
  @ApiBody({ schema: LOG_LEVELS_SCHEMA })
  @ApiOkResponse({ schema: LOG_LEVELS_SCHEMA, description: 'The levels now in force.' })
  @ApiBadRequestResponse({ description: 'A name or level is not valid (the message says which)' })
  updateLoggingLevels(@Body() levels: Record<string, unknown>): Record<string, LogLevelName> {
    return this.service.updateLevels(levels);
  }
}

/** Log downloads, at the URLs `refs.download` gives. */
@ApiTags('Logging')
@Controller('downloads/logs')
@RequirePermission(Permission.PLUGIN_LOGGING_MANAGE)
export class LogDownloadsController {
  constructor(private readonly service: LoggingPluginService) {}

  /**
   * Download several log files as one zip.
   * @remarks Repeat `files` for each file (`?files=hotend.log&files=serial.log`); the answer is `hotend-logs.zip`.
   * Names that are not log files are skipped; 400 when none is.
   */
  @Get()
  @ApiProduces('application/zip')
  @ApiQuery({ name: 'files', type: [String], isArray: true, required: true, description: 'Log file names' })
  @ApiOkResponse({
    description: 'A zip archive of the files.',
    content: { 'application/zip': { schema: { type: 'string', format: 'binary' } } },
  })
  @ApiBadRequestResponse({ description: 'None of the names is a log file' })
  async downloadLogs(
    @Query('files') files: string | string[] | undefined,
    @Res() reply: FastifyReply,
  ): Promise<FastifyReply> {
    return send(reply, await this.service.openBulkDownload(files === undefined ? [] : [files].flat()));
  }

  /**
   * Download a log file.
   * @remarks Streamed as text; one `Range: bytes=...` is answered with a 206. The file list gives each file's
   * URL here. Only plain file names of files directly in the logs folder are served.
   */
  @Get(':filename')
  @ApiProduces('text/plain')
  @ApiHeader(RANGE_HEADER)
  @ApiOkResponse(TEXT_DOWNLOAD)
  @ApiResponse({ status: 206, ...TEXT_DOWNLOAD })
  @ApiResponse({ status: 416, description: 'The range lies outside the file' })
  @ApiNotFoundResponse({ description: 'No such log file' })
  async downloadLog(
    @Param('filename') filename: string,
    @Headers('range') range: string | undefined,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<FastifyReply> {
    return send(reply, await this.service.openDownload(filename, range, request.method === 'HEAD'));
  }
}
