import 'reflect-metadata';
import type { LogLevel } from '@nestjs/common';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from './app.module.js';
import type { CommChannelFactory } from './comm/comm-channel.js';
import { streamBuildLogBodies } from './build-logs/build-log-body.js';
import { answerClientError } from './common/errors/client-error.js';
import { sendError } from './common/errors/http-error.filter.js';
import { parseJsonBodiesWithLimits } from './common/http/json-body.js';
import { installRouteBodyHandling } from './common/http/route-body.js';
import { closeConnectionsWithUnreadBodies } from './common/http/unread-body.js';
import { registerFileUploads } from './files/upload-parser.js';
import type { LoadedConfig } from './config/config.loader.js';
import { serveApiDocs } from './docs/api-docs.js';
import { corsForRouterErrors, enableCors } from './http/cors.js';
import { readLogBodiesAsText } from './log-ingest/log-ingest.body.js';
import { HotendLogService } from './logging/log.service.js';
import { HotendNestLogger } from './logging/nest-logger.js';
import { findWebRoot, serveWebUi } from './web/web-ui.js';

export interface HotendAppOptions {
  /** Nest's own console logger; tests turn it off. */
  readonly logger?: false | LogLevel[];
  /** Serve Swagger UI at /api/docs (default true). */
  readonly swaggerUi?: boolean;
  /** Replaces the CommChannel `serial.commProcess` selects (tests that need an in-process simulator or clock). */
  readonly commChannel?: CommChannelFactory;
}

/** Builds the whole Hotend application (not yet listening); main.ts, the OpenAPI writer and tests share it. */
export async function createHotendApp(
  loaded: LoadedConfig,
  options: HotendAppOptions = {},
): Promise<NestFastifyApplication> {
  const { bodyLimit } = loaded.config.server;
  const routerErrorCors = corsForRouterErrors(loaded.config.server.cors.origins);
  const adapter = new FastifyAdapter({
    bodyLimit,
    // The router's own refusals (over-long parameter, malformed URL) and the HTTP parser's (headers too large,
    // timeouts) are answered in the family's envelope like every other error.
    frameworkErrors: (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
      routerErrorCors(request, reply);
      sendError(request, reply, error);
    },
    clientErrorHandler: answerClientError,
  });
  const fastify = adapter.getInstance();
  await enableCors(fastify, loaded.config.server.cors.origins);
  installRouteBodyHandling(fastify);
  parseJsonBodiesWithLimits(fastify, bodyLimit);
  closeConnectionsWithUnreadBodies(fastify);
  // POST /api/v1/logs reads its (up to 1 GB) body as a stream, /log its body as text; the routes say so themselves.
  streamBuildLogBodies(fastify);
  registerFileUploads(fastify);
  readLogBodiesAsText(fastify, loaded.config.logging.ingestBodyLimit);
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.register(loaded, options.commChannel),
    adapter,
    {
      logger: options.logger ?? ['log', 'warn', 'error', 'fatal'],
      // The JSON parser is Hotend's own (parseJsonBodiesWithLimits); no route takes form bodies.
      bodyParser: false,
      bufferLogs: true,
      abortOnError: false,
    },
  );
  // Nest's Logger (`new Logger('hotend.system')`) writes to logs/hotend.log; the console only echoes it.
  app.get(HotendLogService).setConsoleEcho(options.logger !== false);
  app.useLogger(app.get(HotendNestLogger));
  app.flushLogs();
  app.enableShutdownHooks();
  if (options.swaggerUi !== false) serveApiDocs(fastify);
  await serveWebUi(fastify, findWebRoot());
  return app;
}
