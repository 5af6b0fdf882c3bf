import type { FastifyInstance, RouteOptions } from 'fastify';

/**
 * Also serves each of `paths` with a trailing slash: OctoPrint's client calls `GET plugin/logging/`, while
 * Nest registers `/plugin/logging`. The alias is the same route (same handler, so the same guard and pipes).
 */
export function serveWithTrailingSlash(fastify: FastifyInstance, paths: readonly string[]): void {
  fastify.addHook('onRoute', (route: RouteOptions) => {
    // HEAD routes Fastify derives from GET ones get their alias from the aliased GET route.
    if (!paths.includes(route.url) || route.method === 'HEAD') return;
    const {
      path: _path,
      routePath: _routePath,
      prefix: _prefix,
      ...rest
    } = route as RouteOptions & {
      path?: string;
      routePath?: string;
      prefix?: string;
    };
    fastify.route({ ...rest, url: `${route.url}/` });
  });
}
