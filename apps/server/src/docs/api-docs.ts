import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';

/**
 * The committed openapi.yaml: the drift gate proves it equals what the code generates, so the server serves it
 * instead of building the document at every start (which costs a second of boot).
 */
export const OPENAPI_FILE = fileURLToPath(new URL('../../../../openapi.yaml', import.meta.url));

const DOCS = '/api/docs';

/** The Swagger UI files the page loads, served from the swagger-ui-dist package. */
const ASSETS: Readonly<Record<string, string>> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'swagger-ui-standalone-preset.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
  'favicon-16x16.png': 'image/png',
};

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Hotend API</title>
<link rel="stylesheet" href="${DOCS}/swagger-ui.css">
<link rel="icon" type="image/png" href="${DOCS}/favicon-32x32.png" sizes="32x32">
</head>
<body>
<div id="swagger-ui"></div>
<script src="${DOCS}/swagger-ui-bundle.js"></script>
<script src="${DOCS}/swagger-ui-standalone-preset.js"></script>
<script src="${DOCS}/swagger-initializer.js"></script>
</body>
</html>
`;

const INITIALIZER = `window.ui = SwaggerUIBundle({
  url: '${DOCS}/openapi.json',
  dom_id: '#swagger-ui',
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
  layout: 'StandaloneLayout',
  persistAuthorization: true,
  showExtensions: true,
});
`;

function swaggerUiDirectory(): string {
  return dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
}

/** Swagger UI at /api/docs with the spec at /api/docs/openapi.yaml and .json; everything loaded on first request. */
export function serveApiDocs(fastify: FastifyInstance, specFile = OPENAPI_FILE): void {
  let yaml: Promise<string> | undefined;
  let json: Promise<string> | undefined;
  const readYaml = (): Promise<string> => (yaml ??= readFile(specFile, 'utf8'));
  const readJson = (): Promise<string> =>
    (json ??= Promise.all([readYaml(), import('yaml')]).then(([text, { parse }]) => JSON.stringify(parse(text))));
  const html = (_request: unknown, reply: FastifyReply): FastifyReply =>
    reply.type('text/html; charset=utf-8').send(PAGE);

  fastify.get(DOCS, html);
  fastify.get(`${DOCS}/`, html);
  fastify.get(`${DOCS}/swagger-initializer.js`, (_request, reply) =>
    reply.type('text/javascript; charset=utf-8').send(INITIALIZER),
  );
  fastify.get(`${DOCS}/openapi.yaml`, async (_request, reply) =>
    reply.type('application/yaml; charset=utf-8').send(await readYaml()),
  );
  fastify.get(`${DOCS}/openapi.json`, async (_request, reply) =>
    reply.type('application/json; charset=utf-8').send(await readJson()),
  );
  let assets: string | undefined;
  for (const [name, contentType] of Object.entries(ASSETS)) {
    fastify.get(`${DOCS}/${name}`, (_request, reply) =>
      reply
        .type(contentType)
        .header('cache-control', 'public, max-age=3600')
        .send(createReadStream(join((assets ??= swaggerUiDirectory()), name))),
    );
  }
}
