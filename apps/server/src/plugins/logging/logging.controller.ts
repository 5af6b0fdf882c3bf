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

  /** Log files, logger setup and whether serial.log is on, in one answer. */
  @Get('/')
  getLoggingOverview(@Req() request: FastifyRequest): Promise<LoggingOverviewResponseDto> {
    return this.service.getOverview(externalBaseUrl(request));
  }

  /** The log files (rotated ones too) and the free and total space where they are stored. */
  @Get('logs')
  listLogs(@Req() request: FastifyRequest): Promise<LogFilesResponseDto> {
    return this.service.listLogs(externalBaseUrl(request));
  }

  /** Downloads a log file (OctoPrint redirects here, brokenly; Hotend answers with the file). */
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

  /** Deletes a log file; deleting the active `hotend.log` or `serial.log` makes logging start a fresh one. */
  @Delete('logs/:filename')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiNotFoundResponse({ description: 'No such log file' })
  @ApiBadRequestResponse({ description: 'The name is not a plain file name' })
  deleteLog(@Param('filename') filename: string): Promise<void> {
    return this.service.deleteLog(filename);
  }

  /** Every logger name and the configured levels. */
  @Get('setup')
  getLoggingSetup(): LoggingSetupResponseDto {
    return this.service.getSetup();
  }

  /** The configured levels, `{logger: level}`. */
  @Get('setup/levels')
  @ApiOkResponse({ schema: LOG_LEVELS_SCHEMA })
  getLoggingLevels(): Record<string, LogLevelName> {
    return this.service.getLevels();
  }

  /**
   * Replaces all configured levels with the given `{logger: level}` map; saved to config.yaml and applied at
   * once. Names are `hotend` or `hotend.<area>...`; levels are fatal, error, warn, info, debug, trace (OctoPrint's
   * `WARNING`, `CRITICAL` and Plex's `verbose` are accepted, case-insensitively).
   */
  @Put('setup/levels')
  @ApiBody({ schema: LOG_LEVELS_SCHEMA })
  @ApiOkResponse({ schema: LOG_LEVELS_SCHEMA })
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

  /** Several log files as one zip (`hotend-logs.zip`); names that are not log files are skipped. */
  @Get()
  @ApiProduces('application/zip')
  @ApiQuery({ name: 'files', type: [String], isArray: true, required: true, description: 'Log file names' })
  @ApiOkResponse({
    description: 'A zip',
    content: { 'application/zip': { schema: { type: 'string', format: 'binary' } } },
  })
  @ApiBadRequestResponse({ description: 'None of the names is a log file' })
  async downloadLogs(
    @Query('files') files: string | string[] | undefined,
    @Res() reply: FastifyReply,
  ): Promise<FastifyReply> {
    return send(reply, await this.service.openBulkDownload(files === undefined ? [] : [files].flat()));
  }

  /** Downloads one log file as `text/plain`, streamed, with `Range` support. */
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
