import { BadRequestException, ForbiddenException, HttpException, HttpStatus, Injectable } from '@nestjs/common';
import { EventBus } from '../../events/event-bus.service.js';
import { keyDigestOf, type ResolvedKey } from '../api-key.service.js';
import { ALL_PERMISSIONS, Permission } from '../permission.js';
import { isExternalAddress } from './client-address.js';
import type { LoginNeedsDto, LoginRequestDto, LoginResponseDto, LogoutResponseDto } from './login.dto.js';
import { LoginRateLimit } from './login-rate-limit.js';
import { LoginSessionStore } from './login-session.store.js';

/** What the login endpoints need to know about the request. */
export interface LoginCaller {
  /** The key as presented (query, header or bearer), if any. */
  readonly presentedKey: string | undefined;
  readonly key: ResolvedKey | undefined;
  readonly address: string | undefined;
}

/** `2026-11-22T10:15:30+00:00`: OctoPrint's `_credentials_seen` (seconds, explicit UTC offset). */
const isoSeconds = (epochMs: number): string => new Date(epochMs).toISOString().replace(/\.\d{3}Z$/, '+00:00');

/** The roles a key's permissions give: lower-case permission names, every one for ADMIN. */
export function rolesOf(permissions: readonly Permission[]): string[] {
  const effective = permissions.includes(Permission.ADMIN) ? ALL_PERMISSIONS : permissions;
  return effective.map((permission) => permission.toLowerCase());
}

const GUEST_NEEDS: LoginNeedsDto = { role: [], group: [] };

/**
 * OctoPrint's login for API-key clients: a passive login with a key mints a session for the push socket's `auth`;
 * without a key the caller is a guest. Hotend has no accounts, so an active login (user + password) always fails,
 * counted towards OctoPrint's rate limit.
 */
@Injectable()
export class LoginService {
  private readonly rateLimit = new LoginRateLimit();

  constructor(
    private readonly sessions: LoginSessionStore,
    private readonly events: EventBus,
  ) {}

  login(body: LoginRequestDto, queryPassive: string | undefined, caller: LoginCaller): LoginResponseDto {
    if (body.user !== undefined && body.pass !== undefined) return this.activeLogin(caller);
    if (body.passive === undefined && queryPassive === undefined) {
      throw new BadRequestException('Neither user and pass attributes nor passive flag present');
    }
    if (caller.key === undefined || caller.presentedKey === undefined) {
      return { needs: GUEST_NEEDS, _is_external_client: isExternalAddress(caller.address), _credentials_seen: false };
    }
    const session = this.sessions.create(caller.key, keyDigestOf(caller.presentedKey));
    this.events.emit('UserLoggedIn', { username: caller.key.name });
    const isAdmin = caller.key.permissions.includes(Permission.ADMIN);
    return {
      _credentials_seen: isoSeconds(session.touchedAt),
      _is_external_client: isExternalAddress(caller.address),
      _login_mechanism: 'apikey',
      active: true,
      admin: isAdmin,
      apikey: null,
      groups: [],
      name: caller.key.name,
      needs: { role: rolesOf(caller.key.permissions), group: [] },
      permissions: [...caller.key.permissions],
      roles: isAdmin ? ['user', 'admin'] : ['user'],
      session: session.id,
      settings: {},
      user: true,
    };
  }

  /** Ends the caller's sessions (or the one named), and tells their sockets to log out. */
  logout(sessionId: string | undefined, caller: LoginCaller): LogoutResponseDto {
    const digest =
      caller.presentedKey === undefined || caller.key === undefined ? undefined : keyDigestOf(caller.presentedKey);
    // Without a key only a named session can end: its 64-hex id is the credential.
    if (digest === undefined && sessionId === undefined) return { needs: GUEST_NEEDS };
    const names = new Set(this.sessions.logout(digest, sessionId).map((session) => session.name));
    for (const username of names) this.events.emit('UserLoggedOut', { username });
    return { needs: GUEST_NEEDS };
  }

  private activeLogin(caller: LoginCaller): never {
    const address = caller.address ?? '';
    if (this.rateLimit.isLimited(address)) {
      throw new HttpException('Too many failed logins, try again later', HttpStatus.TOO_MANY_REQUESTS);
    }
    this.rateLimit.recordFailure(address);
    throw new ForbiddenException('User unknown or password incorrect (Hotend has API keys, not user accounts)');
  }
}
