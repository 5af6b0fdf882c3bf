import 'reflect-metadata';
import { type LogLevel, UnsupportedMediaTypeException } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from './app.module.js';
import { streamBuildLogBodies } from './build-logs/build-log-body.js';
import { errorFamilyFor } from './common/errors/error-families.js';
import type { LoadedConfig } from './config/config.loader.js';
import { readLogBodiesAsText } from './log-ingest/log-ingest.body.js';
import { HotendLogService } from './logging/log.service.js';
import { HotendNestLogger } from './logging/nest-logger.js';
import { buildOpenApiDocument, setupSwaggerUi } from './openapi.js';

export interface HotendAppOptions {
  /** Nest's own console logger; tests turn it off. */
  readonly logger?: false | LogLevel[];
  /** Serve Swagger UI at /api/docs (default true). */
  readonly swaggerUi?: boolean;
}

function isJsonContentType(contentType: string | undefined): boolean {
  const mediaType = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  return mediaType === 'application/json' || mediaType.endsWith('+json');
}

function hasBody(headers: Record<string, string | string[] | undefined>): boolean {
  const length = headers['content-length'];
  return (length !== undefined && length !== '0') || headers['transfer-encoding'] !== undefined;
}

/** Builds the whole Hotend application (not yet listening); main.ts, the OpenAPI writer and tests share it. */
export async function createHotendApp(
  loaded: LoadedConfig,
  options: HotendAppOptions = {},
): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({ bodyLimit: loaded.config.server.bodyLimit });
  // OctoPrint answers 415 when a JSON endpoint gets another content type, rather than guessing.
  // A callback hook, not an async one: it runs on every request, and a promise per request costs a microtask.
  adapter.getInstance().addHook('onRequest', (request, _reply, done) => {
    if (
      request.method !== 'GET' &&
      request.method !== 'HEAD' &&
      request.method !== 'DELETE' &&
      hasBody(request.headers) &&
      errorFamilyFor(request.url).jsonBodies &&
      !isJsonContentType(request.headers['content-type'])
    ) {
      done(
        new UnsupportedMediaTypeException(
          "Did not attempt to load JSON data because the request Content-Type was not 'application/json'.",
        ),
      );
      return;
    }
    done();
  });
  // POST /api/v1/logs reads its (up to 1 GB) body as a stream; every other route keeps Fastify's parsers.
  streamBuildLogBodies(adapter.getInstance());
  readLogBodiesAsText(adapter.getInstance(), loaded.config.logging.ingestBodyLimit);
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.register(loaded), adapter, {
    logger: options.logger ?? ['log', 'warn', 'error', 'fatal'],
    bufferLogs: true,
    abortOnError: false,
  });
  // Nest's Logger (`new Logger('hotend.system')`) writes to logs/hotend.log; the console only echoes it.
  app.get(HotendLogService).setConsoleEcho(options.logger !== false);
  app.useLogger(app.get(HotendNestLogger));
  app.flushLogs();
  app.enableShutdownHooks();
  if (options.swaggerUi !== false) setupSwaggerUi(app, buildOpenApiDocument(app));
  return app;
}
