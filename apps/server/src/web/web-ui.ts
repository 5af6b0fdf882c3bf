import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, sep } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

/** Built files are named by content hash under assets/, so they never change; the page itself is revalidated. */
const ASSET_CACHE = 'public, max-age=31536000, immutable';
const PAGE_CACHE = 'no-cache';
/** The page talks only to its own origin; Svelte sets a few inline style attributes (colour swatches). */
const PAGE_POLICY =
  "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; connect-src 'self'; " +
  "object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

/** `apps/web/dist` of the installed `@hotend/web`, or undefined when the dashboard has not been built. */
export function findWebRoot(): string | undefined {
  try {
    const manifest = createRequire(import.meta.url).resolve('@hotend/web/package.json');
    const root = join(dirname(manifest), 'dist');
    return existsSync(join(root, 'index.html')) ? root : undefined;
  } catch {
    return undefined;
  }
}

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>Hotend</title>
<p>The dashboard is not built. Run <code>npm run build</code> (or <code>npm start</code>, which builds it).
The API is documented at <a href="/api/docs">/api/docs</a>.</p>`;

/**
 * Serves the dashboard (`@hotend/web`) at `/`: its files only, by exact path (no wildcard, so every unknown
 * URL still reaches the API's own 404), with gzip/brotli twins when the browser accepts them.
 */
export async function serveWebUi(fastify: FastifyInstance, root: string | undefined): Promise<void> {
  if (root === undefined) {
    fastify.get('/', (_request, reply) =>
      reply.header('cache-control', PAGE_CACHE).type('text/html; charset=utf-8').send(NOT_BUILT),
    );
    return;
  }
  await fastify.register(fastifyStatic, {
    root,
    prefix: '/',
    wildcard: false,
    decorateReply: false,
    schemaHide: true,
    preCompressed: true,
    cacheControl: false,
    setHeaders: (reply, path) => {
      reply.header('x-content-type-options', 'nosniff');
      if (path.includes(`${sep}assets${sep}`)) {
        reply.header('cache-control', ASSET_CACHE);
      } else {
        reply.header('cache-control', PAGE_CACHE);
        reply.header('content-security-policy', PAGE_POLICY);
      }
    },
  });
}
