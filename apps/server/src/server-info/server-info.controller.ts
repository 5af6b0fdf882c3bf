import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { ResolvedKey } from '../auth/api-key.service.js';
import { CallerKey, Public, RequirePermission } from '../auth/auth.decorators.js';
import { Permission } from '../auth/permission.js';
import { CurrentUserResponseDto, ServerInfoResponseDto, VersionResponseDto } from './server-info.dto.js';
import { ServerInfoService } from './server-info.service.js';

@ApiTags('Server')
@Controller('api')
export class ServerInfoController {
  constructor(private readonly service: ServerInfoService) {}

  /**
   * Hotend's version and the OctoPrint API version it implements.
   * @remarks OctoPrint clients read `api` to decide which calls they may use.
   */
  @Get('version')
  @ApiOkResponse({ type: VersionResponseDto, description: 'The versions.' })
  @RequirePermission(Permission.STATUS)
  getVersion(): VersionResponseDto {
    return this.service.getVersion();
  }

  /**
   * Server version and safe-mode flag.
   * @remarks As OctoPrint's `/api/server`; Hotend has no safe mode, so `safemode` is false.
   */
  @Get('server')
  @ApiOkResponse({ type: ServerInfoResponseDto, description: 'The server version and safe-mode flag.' })
  @RequirePermission(Permission.STATUS)
  getServerInfo(): ServerInfoResponseDto {
    return this.service.getServerInfo();
  }

  /**
   * Who the caller is and what it may do.
   * @remarks Needs no key: answers the API key's name and permissions, or an anonymous guest with no permissions
   * when no valid key was sent. Use it to check a key.
   */
  @Get('currentuser')
  @ApiOkResponse({ type: CurrentUserResponseDto, description: 'The caller and its permissions.' })
  @Public()
  getCurrentUser(@CallerKey() key: ResolvedKey | undefined): CurrentUserResponseDto {
    return this.service.getCurrentUser(key);
  }
}
