import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { PERMISSION_EXTENSION } from './auth/auth.decorators.js';
import { errorFamilyFor } from './common/errors/error-families.js';
import { HOTEND_VERSION } from './server-info/server-info.service.js';

const DESCRIPTION = [
  'Hotend drives a Marlin printer and speaks the OctoPrint REST API, plus a batched log-write endpoint (`/log`) and a',
  'build-log store (`/api/v1/logs`). Authorize with an API key from `config.yaml` (query `apikey`, header `X-Api-Key`,',
  'or `Authorization: Bearer`); each endpoint names the permission it needs.',
].join(' ');

type Sortable = Record<string, unknown>;

function sortKeys<T extends Sortable>(record: T): T {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b))) as T;
}

interface Operation {
  parameters?: { name: string; in: string }[];
  responses?: Record<string, { description: string }>;
  [PERMISSION_EXTENSION]?: string;
}

/**
 * The refusals of a protected operation, as its error family answers them (error-families.ts is the one source):
 * OctoPrint's 403 for a missing, invalid or insufficient key; or a 401 for a missing or invalid key and a 403 for
 * a key that lacks the permission (Vieter's build logs, Plex's `/log`).
 */
function documentRefusals(path: string, operation: Operation): void {
  const permission = operation[PERMISSION_EXTENSION];
  if (permission === undefined) return;
  const missingKey = errorFamilyFor(path).format(401, 'Missing or invalid API key');
  const responses = (operation.responses ??= {});
  if (missingKey.status === 401) {
    const body = missingKey.contentType.startsWith('text/plain') ? `plain text \`${missingKey.body}\`` : 'an error';
    responses['401'] = { description: `Missing or invalid API key: ${body}.` };
    responses['403'] = { description: `The key lacks ${permission}` };
  } else {
    responses['403'] = { description: `Missing or invalid API key, or the key lacks ${permission}` };
  }
}

/**
 * Writes each operation's refusals, and sorts paths, schemas, parameters and responses, so the committed spec
 * only changes when the API does.
 */
function normalize(document: OpenAPIObject): OpenAPIObject {
  document.paths = sortKeys(document.paths);
  for (const [path, item] of Object.entries(document.paths)) {
    for (const operation of Object.values(item as Record<string, Operation>)) {
      documentRefusals(path, operation);
      operation.parameters?.sort((a, b) => `${a.in}:${a.name}`.localeCompare(`${b.in}:${b.name}`));
      if (operation.responses !== undefined) operation.responses = sortKeys(operation.responses);
    }
  }
  if (document.components?.schemas) document.components.schemas = sortKeys(document.components.schemas);
  document.tags?.sort((a, b) => a.name.localeCompare(b.name));
  return document;
}

/** The OpenAPI document for the running app: served at /api/docs and written to openapi.yaml. */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Hotend')
    .setDescription(DESCRIPTION)
    .setVersion(HOTEND_VERSION)
    .addApiKey(
      { type: 'apiKey', in: 'query', name: 'apikey', description: 'API key as a query parameter' },
      'apikeyQuery',
    )
    .addApiKey({ type: 'apiKey', in: 'header', name: 'X-Api-Key', description: 'API key header' }, 'apikeyHeader')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'API key as a bearer token' }, 'bearer')
    .addApiKey(
      { type: 'apiKey', in: 'header', name: 'X-Plex-Token', description: 'Plex-style token (/log only)' },
      'plexToken',
    )
    .addApiKey(
      { type: 'apiKey', in: 'query', name: 'X-Plex-Token', description: 'Plex-style token (/log only)' },
      'plexTokenQuery',
    )
    .build();
  const document = SwaggerModule.createDocument(app, config, {
    operationIdFactory: (_controllerKey: string, methodKey: string) => methodKey,
  });
  return normalize(document);
}

export function setupSwaggerUi(app: INestApplication, document: OpenAPIObject): void {
  SwaggerModule.setup('api/docs', app, document, {
    jsonDocumentUrl: 'api/docs/openapi.json',
    yamlDocumentUrl: 'api/docs/openapi.yaml',
    swaggerOptions: { persistAuthorization: true, showExtensions: true },
    customSiteTitle: 'Hotend API',
  });
}
