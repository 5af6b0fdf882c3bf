import { applyDecorators, Body, Controller, Get, HttpCode, Post, Put, Req } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiConsumes,
  ApiOkResponse,
  ApiPayloadTooLargeResponse,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { AcceptsPlexToken, RequirePermission } from '../auth/auth.decorators.js';
import { Permission } from '../auth/permission.js';
import { LogParametersBody } from './log-ingest.body.js';
import { LogIngestService } from './log-ingest.service.js';

function rawQuery(request: FastifyRequest): string {
  const index = request.url.indexOf('?');
  return index === -1 ? '' : request.url.slice(index + 1);
}

const SingleMessageQuery = (): MethodDecorator =>
  applyDecorators(
    ApiQuery({ name: 'level', enum: [0, 1, 2, 3, 4], description: '0 error, 1 warning, 2 info, 3 debug, 4 verbose' }),
    ApiQuery({ name: 'message', type: String }),
    ApiQuery({ name: 'source', type: String, description: 'Who sends it, e.g. the application name' }),
  );
const WRITTEN = { description: 'Written to hotend.log (empty body).' } as const;
const MISSING = { description: 'A parameter is missing or malformed; nothing was written' } as const;
/** Plex's `/log`: clients write into Hotend's own log (`hotend.log`, logger `hotend.client`). */
@ApiTags('Log')
@Controller('log')
@RequirePermission(Permission.LOG_WRITE)
@AcceptsPlexToken()
export class LogIngestController {
  constructor(private readonly service: LogIngestService) {}

  /**
   * Write one log message (GET form).
   * @remarks The message is given as `level`, `message` and `source` query parameters and written to hotend.log
   * as `[source] message` by logger `hotend.client`. The same as the PUT form, for clients that can only GET.
   */
  @Get()
  @LogParametersBody()
  @SingleMessageQuery()
  @ApiOkResponse(WRITTEN)
  @ApiBadRequestResponse(MISSING)
  writeLogMessageViaGet(@Req() request: FastifyRequest): Promise<void> {
    return this.service.writeOne(rawQuery(request));
  }

  /**
   * Write one log message.
   * @remarks The message is given as `level`, `message` and `source` query parameters and written to hotend.log
   * as `[source] message` by logger `hotend.client`; the key may also come as `X-Plex-Token`.
   */
  @Put()
  @HttpCode(200)
  @LogParametersBody()
  @SingleMessageQuery()
  @ApiOkResponse(WRITTEN)
  @ApiBadRequestResponse(MISSING)
  writeLogMessage(@Req() request: FastifyRequest): Promise<void> {
    return this.service.writeOne(rawQuery(request));
  }

  /**
   * Write many log messages at once.
   * @remarks The body holds one query string per message, newline-separated or joined with `&`
   * (`level=0&message=Error%20message&source=app&level=1&...`). All are checked first: any incomplete or
   * malformed one gives 400 and nothing is written.
   */
  @Post()
  @HttpCode(200)
  @LogParametersBody()
  @ApiConsumes('text/plain', 'application/x-www-form-urlencoded')
  @ApiBody({
    description: 'Log parameters, one group per message',
    required: true,
    schema: { type: 'string', example: 'level=0&message=Disk%20full&source=ui\nlevel=2&message=Started&source=ui' },
  })
  @ApiOkResponse(WRITTEN)
  @ApiBadRequestResponse(MISSING)
  @ApiPayloadTooLargeResponse({ description: 'Body larger than logging.ingestBodyLimit' })
  writeLogBatch(@Body() body: unknown): Promise<void> {
    return this.service.writeBatch(body);
  }
}
