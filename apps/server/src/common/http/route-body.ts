import { RouteConfig } from '@nestjs/platform-fastify';
import { UnsupportedMediaTypeException } from '@nestjs/common';
import type { FastifyInstance, onRequestHookHandler, RouteOptions } from 'fastify';
import { errorFamilyFor } from '../errors/error-families.js';

/** What `@RouteBody()` leaves in a route's Fastify config. */
interface RouteBodyConfig {
  readonly hotendBodyType?: string;
  readonly hotendAcceptedTypes?: readonly string[];
}

/**
 * The route reads its body with the content-type parser registered for `mediaType`, whatever the client sent. It is
 * route config, so it follows the route wherever the router sends a request (`/api/v1/log%73` included), never a
 * spelling of its URL.
 */
export const RouteBody = (mediaType: string): MethodDecorator =>
  RouteConfig({ hotendBodyType: mediaType } satisfies RouteBodyConfig);

/**
 * A route of a JSON family (OctoPrint) that also takes these media types, e.g. `multipart/form-data` for uploads;
 * others still get the 415.
 */
export const AcceptsBodyTypes = (...mediaTypes: string[]): MethodDecorator =>
  RouteConfig({ hotendAcceptedTypes: mediaTypes.map((type) => type.toLowerCase()) } satisfies RouteBodyConfig);

function mediaTypeOf(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

function hasBody(headers: Record<string, string | string[] | undefined>): boolean {
  const length = headers['content-length'];
  return (length !== undefined && length !== '0') || headers['transfer-encoding'] !== undefined;
}

const BODYLESS_METHODS = new Set(['GET', 'HEAD', 'DELETE', 'OPTIONS']);

// OctoPrint answers 415 when a JSON endpoint gets another content type, rather than guessing.
function requireJsonBody(alsoAccepted: readonly string[]): onRequestHookHandler {
  return (request, _reply, done) => {
    const mediaType = mediaTypeOf(request.headers['content-type']);
    const accepted =
      mediaType === 'application/json' || mediaType.endsWith('+json') || alsoAccepted.includes(mediaType);
    if (hasBody(request.headers) && !accepted) {
      done(
        new UnsupportedMediaTypeException(
          "Did not attempt to load JSON data because the request Content-Type was not 'application/json'.",
        ),
      );
      return;
    }
    done();
  };
}

function relabelBody(mediaType: string): onRequestHookHandler {
  return (request, _reply, done) => {
    // A body already of the route's type keeps its parameters (a multipart upload's boundary).
    const sent = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
    if (sent !== mediaType) request.headers['content-type'] = mediaType;
    done();
  };
}

function addOnRequest(route: RouteOptions, hook: onRequestHookHandler): void {
  const existing = route.onRequest;
  route.onRequest = existing === undefined ? [hook] : [hook, ...(Array.isArray(existing) ? existing : [existing])];
}

/**
 * Hangs each route's body handling on the route when Fastify registers it: a `@RouteBody()` route gets its body
 * relabelled for its own parser; a body-carrying route of a JSON family (OctoPrint) refuses other types with 415,
 * except those it lists with `@AcceptsBodyTypes()`.
 * Hooks on the route run only for requests the router matched to it, after it decoded the path.
 */
export function installRouteBodyHandling(fastify: FastifyInstance): void {
  fastify.addHook('onRoute', (route) => {
    const config = route.config as RouteBodyConfig | undefined;
    const bodyType = config?.hotendBodyType;
    if (bodyType !== undefined) {
      addOnRequest(route, relabelBody(bodyType));
      return;
    }
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    if (methods.every((method) => BODYLESS_METHODS.has(method))) return;
    if (errorFamilyFor(route.url).jsonBodies) addOnRequest(route, requireJsonBody(config?.hotendAcceptedTypes ?? []));
  });
}
