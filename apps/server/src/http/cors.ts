import fastifyCors, { type FastifyCorsOptions } from '@fastify/cors';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/**
 * Cross-origin access for browser frontends on other origins, as `server.cors.origins` allows (none by default:
 * same-origin only, but a preflight is answered instead of 404). The maintained Fastify plugin does the protocol.
 */
export function corsOptions(origins: readonly string[]): FastifyCorsOptions {
  return {
    origin: origins.includes('*') ? '*' : [...origins],
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'DELETE'],
    allowedHeaders: ['X-Api-Key', 'Authorization', 'Content-Type', 'Range', 'X-Plex-Token'],
    exposedHeaders: ['Content-Range', 'Content-Disposition', 'Location', 'Accept-Ranges'],
    maxAge: 600,
  };
}

export async function enableCors(fastify: FastifyInstance, origins: readonly string[]): Promise<void> {
  await fastify.register(fastifyCors, corsOptions(origins));
}

/**
 * The router's own refusals (a malformed URL, an over-long parameter) are answered before any hook runs, so the
 * plugin never sees them: the same allow and expose headers for those, where they are answered.
 */
export function corsForRouterErrors(
  origins: readonly string[],
): (request: FastifyRequest, reply: FastifyReply) => void {
  const { exposedHeaders } = corsOptions(origins);
  const exposed = Array.isArray(exposedHeaders) ? exposedHeaders.join(', ') : String(exposedHeaders);
  return (request, reply) => {
    const origin = request.headers.origin;
    if (origin === undefined) return;
    if (origins.includes('*')) void reply.header('access-control-allow-origin', '*');
    else if (origins.includes(origin))
      void reply.header('access-control-allow-origin', origin).header('vary', 'Origin');
    else return;
    void reply.header('access-control-expose-headers', exposed);
  };
}
