import { Controller, Delete, Get, Headers, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiConsumes,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiParam,
  ApiPartialContentResponse,
  ApiPayloadTooLargeResponse,
  ApiRequestedRangeNotSatisfiableResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { RequirePermission } from '../auth/auth.decorators.js';
import { Permission } from '../auth/permission.js';
import { BuildLogBody, type IncomingBuildLog, StreamedBuildLogBody } from './build-log-body.js';
import {
  BuildLogListResponseDto,
  BuildLogResponseDto,
  ListBuildLogsQueryDto,
  PublishBuildLogQueryDto,
  PublishBuildLogResponseDto,
} from './build-logs.dto.js';
import { BuildLogsService } from './build-logs.service.js';

const ID_PARAM = { name: 'id', type: 'integer', description: 'Id of the build log.' } as const;

/**
 * Vieter's build-log API. Errors use Vieter's envelope `{"message": "...", "data": ""}`; a missing or
 * invalid key is a plain-text `401 Unauthorized`; a valid key without the permission is a 403.
 */
@ApiTags('Build logs')
@ApiBadRequestResponse({ description: 'A parameter is malformed; the message names it.' })
@Controller('api/v1/logs')
export class BuildLogsController {
  constructor(private readonly service: BuildLogsService) {}

  /**
   * List build logs, filtered.
   * @remarks Oldest id first, filtered by `target`, start time (`before`/`after`, exclusive, UTC epoch seconds),
   * `arch` and `exit_codes` (`1,2`: 1 or 2; `!1,!2`: neither); `limit` (default 25, at most 1000) and `offset`
   * page through the results.
   */
  @Get()
  @ApiOkResponse({ type: BuildLogListResponseDto, description: 'The matching build logs.' })
  @RequirePermission(Permission.BUILDLOGS_READ)
  listBuildLogs(@Query() query: ListBuildLogsQueryDto): Promise<BuildLogListResponseDto> {
    return this.service.list(query);
  }

  /**
   * One build log's metadata.
   * @remarks Target, start and end time, architecture and exit code; the contents are at `/{id}/content`.
   */
  @Get(':id')
  @ApiOkResponse({ type: BuildLogResponseDto, description: 'The build log metadata.' })
  @RequirePermission(Permission.BUILDLOGS_READ)
  @ApiParam(ID_PARAM)
  @ApiNotFoundResponse({ description: 'No build log has this id.' })
  getBuildLog(@Param('id') id: string): Promise<BuildLogResponseDto> {
    return this.service.get(id);
  }

  /**
   * A build log's contents.
   * @remarks Plain text; one `Range: bytes=...` is answered with a 206 (`bytes=-4096` for the last 4 KiB).
   */
  @Get(':id/content')
  @RequirePermission(Permission.BUILDLOGS_READ)
  @ApiParam(ID_PARAM)
  @ApiOkResponse({ description: 'The whole log.', content: { 'text/plain': { schema: { type: 'string' } } } })
  @ApiPartialContentResponse({
    description: 'The requested byte range.',
    content: { 'text/plain': { schema: { type: 'string' } } },
  })
  @ApiRequestedRangeNotSatisfiableResponse({ description: 'The range lies past the end.' })
  @ApiNotFoundResponse({ description: 'No build log has this id.' })
  getBuildLogContent(
    @Param('id') id: string,
    @Headers('range') range: string | undefined,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    return this.service.sendContent(id, range, reply);
  }

  /**
   * Publish a build log.
   * @remarks Metadata in the query, the plain-text log as the body (Content-Length or chunked, up to
   * `buildLogs.maxBodyBytes`). Stored only once the whole body has arrived; an interrupted upload leaves nothing.
   */
  @Post()
  @ApiOkResponse({ type: PublishBuildLogResponseDto, description: 'Stored; `data.id` is the new id.' })
  @HttpCode(200)
  @RequirePermission(Permission.BUILDLOGS_PUBLISH)
  @StreamedBuildLogBody()
  @ApiConsumes('text/plain')
  @ApiBody({ description: 'The build log, as plain text.', schema: { type: 'string' }, required: false })
  @ApiPayloadTooLargeResponse({ description: 'The body exceeds `buildLogs.maxBodyBytes`.' })
  publishBuildLog(
    @Query() query: PublishBuildLogQueryDto,
    @BuildLogBody() body: IncomingBuildLog,
  ): Promise<PublishBuildLogResponseDto> {
    return this.service.publish(query, body);
  }

  /**
   * Delete a build log.
   * @remarks Removes its metadata and its contents.
   */
  @Delete(':id')
  @HttpCode(204)
  @RequirePermission(Permission.BUILDLOGS_PUBLISH)
  @ApiParam(ID_PARAM)
  @ApiNoContentResponse({ description: 'Deleted.' })
  @ApiNotFoundResponse({ description: 'No build log has this id.' })
  deleteBuildLog(@Param('id') id: string): Promise<void> {
    return this.service.delete(id);
  }
}
