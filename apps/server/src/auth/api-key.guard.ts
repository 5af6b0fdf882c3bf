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

function nonEmpty(value: string | undefined): string | undefined {
  return value === '' ? undefined : value;
}

/** Where a key may come from, in OctoPrint's order: `apikey` query, `X-Api-Key`, `Authorization: Bearer`. */
export function presentedKey(request: FastifyRequest, acceptsPlexToken: boolean): string | undefined {
  const query = (request.query ?? {}) as Record<string, unknown>;
  const headers = request.headers;
  const bearer = firstString(headers.authorization);
  // The first non-empty one wins; checked in order without building the whole list on every request.
  return (
    nonEmpty(firstString(query['apikey'])) ??
    nonEmpty(firstString(headers['x-api-key'])) ??
    nonEmpty(bearer?.startsWith('Bearer ') ? bearer.slice('Bearer '.length) : undefined) ??
    (acceptsPlexToken
      ? (nonEmpty(firstString(query['X-Plex-Token'])) ?? nonEmpty(firstString(headers['x-plex-token'])))
      : undefined)
  );
}

/** What the decorators say about one handler; read once per handler and class, then kept. */
interface RouteAuth {
  readonly isPublic: boolean;
  readonly acceptsPlexToken: boolean;
  readonly required: Permission | readonly Permission[] | undefined;
}

/**
 * Global guard: resolves the caller's key and checks the handler's permission. A handler without a declared
 * permission and without `@Public()` is refused, so a forgotten decorator fails closed.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  /** Decorator metadata is fixed once the app is built, so it is read per route, not per request. */
  private readonly routes = new WeakMap<object, WeakMap<object, RouteAuth>>();

  constructor(
    private readonly reflector: Reflector,
    private readonly keys: ApiKeyService,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const route = this.routeAuth(context.getHandler(), context.getClass());
    const request = context.switchToHttp().getRequest<KeyedRequest>();
    const presented = presentedKey(request, route.acceptsPlexToken);
    const resolved = presented === undefined ? undefined : this.keys.resolve(presented);
    if (resolved !== undefined) request.hotendKey = resolved;

    if (route.isPublic) return true;
    if (resolved === undefined) {
      throw new UnauthorizedException(presented === undefined ? 'No API key was given' : 'The API key is not valid');
    }
    if (route.required === undefined) throw new ForbiddenException('This endpoint declares no permission');
    const required = route.required;
    if (typeof required === 'string' && !hasPermission(resolved.permissions, required)) {
      throw new ForbiddenException(`The API key "${resolved.name}" lacks the ${required} permission`);
    }
    if (typeof required !== 'string' && !required.some((one) => hasPermission(resolved.permissions, one))) {
      throw new ForbiddenException(`The API key "${resolved.name}" lacks all of ${required.join(', ')}`);
    }
    return true;
  }

  private routeAuth(handler: object, controller: object): RouteAuth {
    let byController = this.routes.get(handler);
    const known = byController?.get(controller);
    if (known !== undefined) return known;
    const targets = [handler, controller] as Parameters<Reflector['getAllAndOverride']>[1];
    const route: RouteAuth = {
      isPublic: this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets) === true,
      acceptsPlexToken: this.reflector.getAllAndOverride<boolean>(ACCEPTS_PLEX_TOKEN, targets) === true,
      required: this.reflector.getAllAndOverride<Permission | readonly Permission[] | undefined>(
        REQUIRED_PERMISSION,
        targets,
      ),
    };
    if (byController === undefined) this.routes.set(handler, (byController = new WeakMap()));
    byController.set(controller, route);
    return route;
  }
}
