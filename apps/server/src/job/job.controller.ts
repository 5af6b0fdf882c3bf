import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiConflictResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { ResolvedKey } from '../auth/api-key.service.js';
import { CallerKey, RequirePermission } from '../auth/auth.decorators.js';
import { Permission } from '../auth/permission.js';
import { JobCommandDto, JobResponseDto } from './job.dto.js';
import { JobService } from './job.service.js';

/** OctoPrint's Job API (spec octoprint-files-jobs §4). */
@ApiTags('Job')
@Controller('api/job')
export class JobController {
  constructor(private readonly service: JobService) {}

  /**
   * Get the current job.
   * @remarks The selected file with its analysis and statistics, the progress of its print (`completion` in percent,
   * updated once a second and frozen while paused; time left with the origin of the estimate) and the printer state
   * as text. Every field is null when no file is selected; `error` appears only after a failure.
   */
  @Get()
  @RequirePermission(Permission.STATUS)
  @ApiOkResponse({ type: JobResponseDto, description: 'The job, its progress and the printer state.' })
  getJob(): JobResponseDto {
    return this.service.getJob();
  }

  /**
   * Start, restart, pause, resume or cancel the print.
   * @remarks `start` prints the selected file; `restart` starts a paused print again from the beginning; `pause` with
   * `action` `pause`, `resume` or `toggle` (the default); `cancel` stops it and runs the cancel script (motors,
   * heaters and fan off by default). Answers as soon as the command is accepted; the state follows.
   */
  @Post()
  @HttpCode(204)
  @RequirePermission(Permission.PRINT)
  @ApiBody({ type: JobCommandDto })
  @ApiNoContentResponse({ description: 'Accepted; the state changes asynchronously.' })
  @ApiBadRequestResponse({ description: 'Unknown command or pause action.' })
  @ApiConflictResponse({ description: 'Not operational, no file selected, or the job is not in a state for it.' })
  issueJobCommand(@Body() body: unknown, @CallerKey() key: ResolvedKey): Promise<void> {
    return this.service.command(body, key);
  }
}
