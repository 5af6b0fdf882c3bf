import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { PERMISSION_EXTENSION } from './auth/auth.decorators.js';
import { type ErrorFamily, errorFamilyFor } from './common/errors/error-families.js';
import { PUSH_DOCUMENTATION } from './push/push-docs.js';
import { HOTEND_VERSION } from './server-info/server-info.service.js';

const DESCRIPTION = [
  'Hotend drives a Marlin printer and speaks the OctoPrint REST API, plus a batched log-write endpoint (`/log`) and a',
  'build-log store (`/api/v1/logs`). Authorize with an API key from `config.yaml` (query `apikey`, header `X-Api-Key`,',
  'or `Authorization: Bearer`); each endpoint names the permission it needs as `x-permission`. Errors are answered',
  'in the style of the API they belong to: OctoPrint\'s `{"error": "..."}`, the build-log store\'s',
  '`{"message": "...", "data": ""}`, and plain text for `/log`.',
].join(' ');

/** Every tag a controller uses, with what it groups; a test fails for a tag missing here. */
export const TAGS: Readonly<Record<string, string>> = {
  Server: 'Versions and the caller (OctoPrint API).',
  Connection: 'Connect to the printer over a serial port or the built-in simulator (OctoPrint API).',
  Printer: 'Temperatures, movement, SD card and G-code (OctoPrint API).',
  System: 'Configured system commands such as restart or shutdown (OctoPrint API).',
  Logging: "Hotend's log files and logger levels (OctoPrint's Logging plugin API).",
  Log: 'Clients write messages into hotend.log (Plex-style batched log writes).',
  'Build logs': 'A store for build and job logs (Vieter-style API).',
  Files: 'Upload, list, select, move and download G-code files, locally and on the SD card (OctoPrint API).',
  Job: 'Start, pause, resume and cancel the print of the selected file, and follow its progress (OctoPrint API).',
  Push: PUSH_DOCUMENTATION,
};

const SERVERS = [
  { url: '/', description: 'The Hotend serving this document' },
  {
    url: 'http://{host}:{port}',
    description: 'A Hotend elsewhere',
    variables: { host: { default: 'localhost' }, port: { default: '5000' } },
  },
];

/** Component names of the JSON error envelopes, by error family; others are named after the family. */
const ERROR_SCHEMA_NAMES: Readonly<Record<string, string>> = { octoprint: 'OctoPrintError', vieter: 'BuildLogError' };
const ERROR_FIELD_DESCRIPTIONS: Readonly<Record<string, string>> = {
  error: 'What went wrong.',
  message: 'What went wrong.',
  data: 'Empty on errors.',
};

type Sortable = Record<string, unknown>;

function sortKeys<T extends Sortable>(record: T): T {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b))) as T;
}

type Schemas = NonNullable<NonNullable<OpenAPIObject['components']>['schemas']>;
type SchemaOrRef = Schemas[string];
type SchemaObject = Exclude<SchemaOrRef, { $ref: string }>;

interface Response {
  description: string;
  content?: Record<string, { schema: SchemaOrRef }>;
}

interface Operation {
  parameters?: { name: string; in: string }[];
  responses?: Record<string, Response>;
  [PERMISSION_EXTENSION]?: string;
}

/** The JSON envelope a family answers errors with, as a schema derived from what it really sends. */
function errorEnvelopeSchema(family: ErrorFamily, status: number): SchemaObject {
  const body = JSON.parse(family.format(status, 'What went wrong').body) as Record<string, unknown>;
  const properties = Object.fromEntries(
    Object.entries(body).map(([key, value]) => [
      key,
      { type: typeof value as 'string', description: ERROR_FIELD_DESCRIPTIONS[key] },
    ]),
  );
  return { type: 'object', required: Object.keys(body), properties };
}

/** Gives an error response that names no body the body its family really answers with. */
function documentErrorBody(path: string, status: number, response: Response, schemas: Schemas): void {
  if (status < 400 || response.content !== undefined) return;
  const family = errorFamilyFor(path);
  const reply = family.format(status, 'What went wrong');
  const mediaType = reply.contentType.split(';')[0] ?? reply.contentType;
  if (mediaType !== 'application/json') {
    response.content = { [mediaType]: { schema: { type: 'string' } } };
    return;
  }
  const name = ERROR_SCHEMA_NAMES[family.name] ?? `${family.name.charAt(0).toUpperCase()}${family.name.slice(1)}Error`;
  schemas[name] ??= errorEnvelopeSchema(family, status);
  response.content = { [mediaType]: { schema: { $ref: `#/components/schemas/${name}` } } };
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
  const schemas = (document.components ??= {}).schemas ?? {};
  document.components.schemas = schemas;
  for (const [path, item] of Object.entries(document.paths)) {
    for (const operation of Object.values(item as Record<string, Operation>)) {
      documentRefusals(path, operation);
      for (const [status, response] of Object.entries(operation.responses ?? {})) {
        documentErrorBody(path, Number(status), response, schemas);
      }
      operation.parameters?.sort((a, b) => `${a.in}:${a.name}`.localeCompare(`${b.in}:${b.name}`));
      if (operation.responses !== undefined) operation.responses = sortKeys(operation.responses);
    }
  }
  document.components.schemas = sortKeys(schemas);
  document.tags?.sort((a, b) => a.name.localeCompare(b.name));
  return document;
}

/** The OpenAPI document of the app, written to openapi.yaml by `npm run generate` (the server serves that file). */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Hotend')
    .setDescription(DESCRIPTION)
    .setVersion(HOTEND_VERSION)
    .setLicense('AGPL-3.0-only', 'https://www.gnu.org/licenses/agpl-3.0.html')
    // The header first: Swagger UI's Authorize lists the schemes in this order, and a key in a header stays out of
    // URLs, browser history and access logs.
    .addApiKey(
      {
        type: 'apiKey',
        in: 'header',
        name: 'X-Api-Key',
        description: 'An API key from config.yaml, as the `X-Api-Key` header.',
      },
      'apikeyHeader',
    )
    .addApiKey(
      {
        type: 'apiKey',
        in: 'query',
        name: 'apikey',
        description: 'An API key from config.yaml, as the `apikey` query parameter.',
      },
      'apikeyQuery',
    )
    .addBearerAuth(
      {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'API key',
        description: 'An API key from config.yaml, as `Authorization: Bearer <key>` (an opaque key, not a JWT).',
      },
      'bearer',
    )
    .addApiKey(
      {
        type: 'apiKey',
        in: 'header',
        name: 'X-Plex-Token',
        description: 'An API key from config.yaml, as Plex clients send it (`/log` only).',
      },
      'plexToken',
    )
    .addApiKey(
      {
        type: 'apiKey',
        in: 'query',
        name: 'X-Plex-Token',
        description: 'An API key from config.yaml, as Plex clients send it (`/log` only).',
      },
      'plexTokenQuery',
    );
  for (const [name, description] of Object.entries(TAGS)) config.addTag(name, description);
  for (const server of SERVERS) config.addServer(server.url, server.description, server.variables);
  const document = SwaggerModule.createDocument(app, config.build(), {
    operationIdFactory: (_controllerKey: string, methodKey: string) => methodKey,
  });
  return normalize(document);
}
