import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Allow, IsOptional, IsString } from 'class-validator';
import { Permission } from '../permission.js';

export class LoginRequestDto {
  /** Active login: the user name. Hotend has API keys, not accounts, so an active login is always refused. */
  @IsOptional() @IsString() user?: string;
  @IsOptional() @IsString() pass?: string;
  /** Active login: keep the login (`true`, `"yes"`, `1`, ...). */
  @ApiPropertyOptional({ oneOf: [{ type: 'boolean' }, { type: 'string' }, { type: 'number' }] })
  @Allow()
  remember?: unknown;
  /** Passive login: present with any value. Logs in with the API key sent with the request, or as a guest. */
  @ApiPropertyOptional({ oneOf: [{ type: 'boolean' }, { type: 'string' }, { type: 'number' }] })
  @Allow()
  passive?: unknown;
}

export class LoginQueryDto {
  /** `POST /api/login?passive=1` with an empty body is a passive login, as in OctoPrint. */
  @IsOptional() @IsString() passive?: string;
}

export class LogoutRequestDto {
  /** End only this session (from the login answer); without it every session of the calling key ends. */
  @IsOptional() @IsString() session?: string;
}

export class LoginNeedsDto {
  /** Lower-case permission names the caller holds (`status`, `control`, ...; all of them for ADMIN). */
  @ApiProperty({ type: String, isArray: true }) role!: string[];
  /** Always empty: Hotend has no groups. */
  @ApiProperty({ type: String, isArray: true }) group!: string[];
}

/** The logged-in user as OctoPrint answers it; for a guest only `needs` and the two underscore fields. */
export class LoginResponseDto {
  /** The API key's name. Absent for a guest. */
  @ApiPropertyOptional() name?: string;
  /** The session id for the push socket's `auth` message (`<name>:<session>`): 64 hex characters. */
  @ApiPropertyOptional() session?: string;
  @ApiPropertyOptional() active?: boolean;
  /** The key's own permissions. */
  @ApiPropertyOptional({ enum: Permission, enumName: 'Permission', isArray: true }) permissions?: Permission[];
  @ApiPropertyOptional({ type: String, isArray: true }) groups?: string[];
  needs!: LoginNeedsDto;
  /** Always null: Hotend does not hand keys out. */
  @ApiPropertyOptional({ type: String, nullable: true }) apikey?: null;
  @ApiPropertyOptional({ type: 'object', additionalProperties: false }) settings?: Record<string, never>;
  /** Whether the key holds ADMIN (deprecated mirror, as in OctoPrint). */
  @ApiPropertyOptional() admin?: boolean;
  /** Always true for a key (deprecated mirror). */
  @ApiPropertyOptional() user?: boolean;
  /** `["user", "admin"]` or `["user"]` (deprecated mirror). */
  @ApiPropertyOptional({ type: String, isArray: true }) roles?: string[];
  /** Whether the caller's address is outside loopback and the private networks. */
  _is_external_client!: boolean;
  /** Always `apikey` for a named login. */
  @ApiPropertyOptional() _login_mechanism?: string;
  /** When the credentials were checked (`2026-11-22T10:15:30+00:00`), or false for a guest. */
  @ApiProperty({ oneOf: [{ type: 'string' }, { type: 'boolean', enum: [false] }] })
  _credentials_seen!: string | false;
}

export class LogoutResponseDto {
  /** What a guest holds: no roles. */
  needs!: LoginNeedsDto;
}
