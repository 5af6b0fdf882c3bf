import fastifyCors, { type FastifyCorsOptions } from '@fastify/cors';
import type { FastifyInstance } from 'fastify';

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
