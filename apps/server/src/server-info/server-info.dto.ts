import { ApiProperty } from '@nestjs/swagger';
import { Permission } from '../auth/permission.js';

export class VersionResponseDto {
  /** API version, as OctoPrint reports it. */
  api!: string;
  /** Hotend's version. */
  server!: string;
  /** Human-readable server name and version. */
  text!: string;
}

export class ServerInfoResponseDto {
  version!: string;
  /** Hotend has no safe mode; always false. */
  safemode!: boolean;
}

export class CurrentUserResponseDto {
  /** The API key's name, or null for an anonymous caller. */
  @ApiProperty({ type: String, nullable: true })
  name!: string | null;
  @ApiProperty({ enum: Permission, enumName: 'Permission', isArray: true })
  permissions!: Permission[];
  /** `admins` for an ADMIN key, `users` for other keys, `guests` when anonymous. */
  groups!: string[];
}
