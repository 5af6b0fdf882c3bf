import { readFileSync } from 'node:fs';
import { Injectable } from '@nestjs/common';
import type { ResolvedKey } from '../auth/api-key.service.js';
import { ALL_PERMISSIONS, Permission } from '../auth/permission.js';
import type { CurrentUserResponseDto, ServerInfoResponseDto, VersionResponseDto } from './server-info.dto.js';

/** Hotend's own version, read once from the server package (the same path from `src/` and `dist/`). */
export const HOTEND_VERSION: string = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

@Injectable()
export class ServerInfoService {
  getVersion(): VersionResponseDto {
    return { api: '0.1', server: HOTEND_VERSION, text: `Hotend ${HOTEND_VERSION}` };
  }

  getServerInfo(): ServerInfoResponseDto {
    return { version: HOTEND_VERSION, safemode: false };
  }

  getCurrentUser(key: ResolvedKey | undefined): CurrentUserResponseDto {
    if (key === undefined) return { name: null, permissions: [], groups: ['guests'] };
    const isAdmin = key.permissions.includes(Permission.ADMIN);
    return {
      name: key.name,
      permissions: isAdmin ? [...ALL_PERMISSIONS] : [...key.permissions],
      groups: isAdmin ? ['admins', 'users'] : ['users'],
    };
  }
}
