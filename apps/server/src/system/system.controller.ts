import { Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiInternalServerErrorResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import type { ResolvedKey } from '../auth/api-key.service.js';
import { CallerKey, RequirePermission } from '../auth/auth.decorators.js';
import { Permission } from '../auth/permission.js';
import { AfterResponse } from './after-response.js';
import { ExternalBaseUrl } from './external-url.js';
import { ClientCommandDefinitionDto, SYSTEM_COMMAND_SOURCES, SystemCommandsResponseDto } from './system.dto.js';
import { SystemService } from './system.service.js';

const SOURCE_PARAM = {
  name: 'source',
  enum: SYSTEM_COMMAND_SOURCES,
  enumName: 'SystemCommandSource',
  description: '`core` (Hotend itself), `custom` (config.yaml `system.actions`) or `plugin` (always empty)',
} as const;

@ApiTags('System')
@Controller('api/system/commands')
export class SystemController {
  constructor(private readonly service: SystemService) {}

  /**
   * All system commands, grouped by source.
   * @remarks `core` holds the shutdown, reboot and restart commands configured under `server.commands`, `custom`
   * the `system.actions` of config.yaml, `plugin` is always empty. Each entry carries the URL that runs it.
   */
  @Get()
  @ApiOkResponse({ type: SystemCommandsResponseDto, description: 'The commands of every source.' })
  @RequirePermission(Permission.SYSTEM)
  listSystemCommands(@ExternalBaseUrl() baseUrl: string): SystemCommandsResponseDto {
    return this.service.listSystemCommands(baseUrl);
  }

  /**
   * The system commands of one source.
   * @remarks The same entries as in the full list, as a bare array.
   */
  @Get(':source')
  @RequirePermission(Permission.SYSTEM)
  @ApiParam(SOURCE_PARAM)
  @ApiOkResponse({ type: [ClientCommandDefinitionDto], description: 'The commands of this source.' })
  @ApiNotFoundResponse({ description: 'Unknown source' })
  listSystemCommandsForSource(
    @Param('source') source: string,
    @ExternalBaseUrl() baseUrl: string,
  ): ClientCommandDefinitionDto[] {
    return this.service.listSystemCommandsForSource(source, baseUrl);
  }

  /**
   * Run a configured system command.
   * @remarks Asynchronous commands (and all core ones) answer 204 at once and run after the answer is sent.
   * Synchronous ones answer 204 once the command exited with 0, or 500 saying how it failed: exit code, signal, or
   * timeout (`system.commandTimeout`, after which its whole process group is killed), with the end of its output.
   * The request body is ignored; command lines come only from config.yaml.
   */
  @Post(':source/:action')
  @HttpCode(204)
  @RequirePermission(Permission.SYSTEM)
  @ApiParam(SOURCE_PARAM)
  @ApiParam({ name: 'action', type: String, description: 'The `action` of the command definition' })
  @ApiNoContentResponse({ description: 'Executed (or, for asynchronous commands, started)' })
  @ApiBadRequestResponse({ description: 'A divider cannot be executed' })
  @ApiNotFoundResponse({ description: 'No such source or action' })
  @ApiConflictResponse({ description: 'The same command is still running' })
  @ApiInternalServerErrorResponse({ description: 'Non-zero exit code, signal or timeout; the error says which' })
  executeSystemCommand(
    @Param('source') source: string,
    @Param('action') action: string,
    @CallerKey() caller: ResolvedKey | undefined,
    @AfterResponse() afterResponse: AfterResponse,
  ): Promise<void> {
    return this.service.executeSystemCommand(source, action, caller, afterResponse);
  }
}
