import {
  type CanActivate,
  type ExecutionContext,
  ForbiddenException,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { ACCEPTS_PLEX_TOKEN, PUBLIC_ROUTE, REQUIRED_PERMISSION } from './auth.decorators.js';
import { ApiKeyService, type ResolvedKey } from './api-key.service.js';
import { hasPermission, type Permission } from './permission.js';

type KeyedRequest = FastifyRequest & { hotendKey?: ResolvedKey };

function firstString(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && typeof value[0] === 'string') return value[0];
  return undefined;
}

/** Where a key may come from, in OctoPrint's order: `apikey` query, `X-Api-Key`, `Authorization: Bearer`. */
export function presentedKey(request: FastifyRequest, acceptsPlexToken: boolean): string | undefined {
  const query = (request.query ?? {}) as Record<string, unknown>;
  const headers = request.headers;
  const bearer = firstString(headers.authorization);
  const candidates = [
    firstString(query['apikey']),
    firstString(headers['x-api-key']),
    bearer?.startsWith('Bearer ') ? bearer.slice('Bearer '.length) : undefined,
    acceptsPlexToken ? firstString(query['X-Plex-Token']) : undefined,
    acceptsPlexToken ? firstString(headers['x-plex-token']) : undefined,
  ];
  return candidates.find((candidate) => candidate !== undefined && candidate !== '');
}

/**
 * Global guard: resolves the caller's key and checks the handler's permission. A handler without a declared
 * permission and without `@Public()` is refused, so a forgotten decorator fails closed.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly keys: ApiKeyService,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const targets = [context.getHandler(), context.getClass()];
    const request = context.switchToHttp().getRequest<KeyedRequest>();
    const presented = presentedKey(
      request,
      this.reflector.getAllAndOverride<boolean>(ACCEPTS_PLEX_TOKEN, targets) === true,
    );
    const resolved = presented === undefined ? undefined : this.keys.resolve(presented);
    if (resolved !== undefined) request.hotendKey = resolved;

    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets) === true) return true;
    const required = this.reflector.getAllAndOverride<Permission | undefined>(REQUIRED_PERMISSION, targets);
    if (resolved === undefined) {
      throw new UnauthorizedException(presented === undefined ? 'No API key was given' : 'The API key is not valid');
    }
    if (required === undefined) throw new ForbiddenException('This endpoint declares no permission');
    if (!hasPermission(resolved.permissions, required)) {
      throw new ForbiddenException(`The API key "${resolved.name}" lacks the ${required} permission`);
    }
    return true;
  }
}
