import { Controller, Get } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { ResolvedKey } from '../auth/api-key.service.js';
import { CallerKey, Public, RequirePermission } from '../auth/auth.decorators.js';
import { Permission } from '../auth/permission.js';
import { CurrentUserResponseDto, ServerInfoResponseDto, VersionResponseDto } from './server-info.dto.js';
import { ServerInfoService } from './server-info.service.js';

@ApiTags('Server')
@Controller('api')
export class ServerInfoController {
  constructor(private readonly service: ServerInfoService) {}

  /** Hotend's version and the OctoPrint API version it implements. */
  @Get('version')
  @RequirePermission(Permission.STATUS)
  getVersion(): VersionResponseDto {
    return this.service.getVersion();
  }

  /** Server version and safe-mode flag. */
  @Get('server')
  @RequirePermission(Permission.STATUS)
  getServerInfo(): ServerInfoResponseDto {
    return this.service.getServerInfo();
  }

  /** The caller: the API key's name and permissions, or an anonymous guest when no valid key was sent. */
  @Get('currentuser')
  @Public()
  getCurrentUser(@CallerKey() key: ResolvedKey | undefined): CurrentUserResponseDto {
    return this.service.getCurrentUser(key);
  }
}
