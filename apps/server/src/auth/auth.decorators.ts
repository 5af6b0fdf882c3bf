import { applyDecorators, createParamDecorator, type ExecutionContext, SetMetadata } from '@nestjs/common';
import { ApiExtension, ApiSecurity } from '@nestjs/swagger';
import type { Permission } from './permission.js';
import type { ResolvedKey } from './api-key.service.js';

export const REQUIRED_PERMISSION = 'hotend:required-permission';
export const PUBLIC_ROUTE = 'hotend:public-route';
export const ACCEPTS_PLEX_TOKEN = 'hotend:accepts-plex-token';

/** Security schemes every protected operation lists, in the order OctoPrint reads them. */
export const SECURITY_SCHEMES = ['apikeyQuery', 'apikeyHeader', 'bearer'] as const;

/** The OpenAPI extension naming an operation's permission; its 401/403 responses are written from it (openapi.ts). */
export const PERMISSION_EXTENSION = 'x-permission';

/** The permission a handler needs. Every handler carries this or `@Public()`; the guard refuses anything else. */
export function RequirePermission(permission: Permission): MethodDecorator & ClassDecorator {
  return applyDecorators(
    SetMetadata(REQUIRED_PERMISSION, permission),
    ...SECURITY_SCHEMES.map((scheme) => ApiSecurity(scheme)),
    ApiExtension(PERMISSION_EXTENSION, permission),
  );
}

/**
 * For one route serving several commands with different permissions: the guard lets through a key holding any of
 * them, and the handler checks the one its command needs (after its 404/400 checks, as OctoPrint orders them).
 */
export function RequireAnyPermission(...permissions: Permission[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    SetMetadata(REQUIRED_PERMISSION, permissions),
    ...SECURITY_SCHEMES.map((scheme) => ApiSecurity(scheme)),
    // x-permission names one permission (the first, which some command needs); all of them are listed beside it.
    ApiExtension(PERMISSION_EXTENSION, permissions[0]),
    ApiExtension('x-permissions-per-command', permissions),
  );
}

/** An endpoint anyone may call; a key, if sent, is still resolved so the handler can see who called. */
export function Public(): MethodDecorator & ClassDecorator {
  // `{}` first: no key is needed; the schemes after it say where an optional key may go.
  return applyDecorators(
    SetMetadata(PUBLIC_ROUTE, true),
    ApiSecurity({}),
    ...SECURITY_SCHEMES.map((scheme) => ApiSecurity(scheme)),
  );
}

/** Also read the key from `X-Plex-Token` (query or header), as Plex clients send it. */
export function AcceptsPlexToken(): MethodDecorator & ClassDecorator {
  return applyDecorators(
    SetMetadata(ACCEPTS_PLEX_TOKEN, true),
    ApiSecurity('plexToken'),
    ApiSecurity('plexTokenQuery'),
  );
}

/** The key the guard resolved for this request, or undefined for an anonymous caller. */
export const CallerKey = createParamDecorator((_: unknown, ctx: ExecutionContext): ResolvedKey | undefined => {
  const request = ctx.switchToHttp().getRequest<{ hotendKey?: ResolvedKey }>();
  return request.hotendKey;
});
