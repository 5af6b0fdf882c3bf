import { applyDecorators, createParamDecorator, type ExecutionContext, SetMetadata } from '@nestjs/common';
import { ApiForbiddenResponse, ApiSecurity } from '@nestjs/swagger';
import type { Permission } from './permission.js';
import type { ResolvedKey } from './api-key.service.js';

export const REQUIRED_PERMISSION = 'hotend:required-permission';
export const PUBLIC_ROUTE = 'hotend:public-route';
export const ACCEPTS_PLEX_TOKEN = 'hotend:accepts-plex-token';

/** Security schemes every protected operation lists, in the order OctoPrint reads them. */
export const SECURITY_SCHEMES = ['apikeyQuery', 'apikeyHeader', 'bearer'] as const;

/**
 * The permission a handler needs. Every handler carries this or `@Public()`; the guard refuses anything else.
 * `missingKey` documents how the handler's error family answers a missing or invalid key: 403 (OctoPrint) or 401
 * (Vieter's build logs, Plex's `/log`, which then document their 401 themselves).
 */
export function RequirePermission(
  permission: Permission,
  { missingKey = 403 }: { missingKey?: 401 | 403 } = {},
): MethodDecorator & ClassDecorator {
  const forbidden = missingKey === 403 ? 'Missing or invalid API key, or the key lacks' : 'The key lacks';
  return applyDecorators(
    SetMetadata(REQUIRED_PERMISSION, permission),
    ...SECURITY_SCHEMES.map((scheme) => ApiSecurity(scheme)),
    ApiForbiddenResponse({ description: `${forbidden} ${permission}` }),
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
