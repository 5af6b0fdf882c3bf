import { Module } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { LogFilesRepository } from './log-files.repository.js';
import { LogDownloadsController, LoggingPluginController } from './logging.controller.js';
import { LoggingPluginService } from './logging.service.js';
import { serveWithTrailingSlash } from './trailing-slash.js';

/** Logging plugin API (seed 000): list, download, zip and delete log files; logger levels. */
@Module({
  controllers: [LoggingPluginController, LogDownloadsController],
  providers: [LoggingPluginService, LogFilesRepository],
})
export class LoggingPluginModule {
  constructor(adapterHost: HttpAdapterHost) {
    // Runs before Nest registers the routes, so the hook sees them.
    const fastify = adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    if (fastify !== undefined) serveWithTrailingSlash(fastify, ['/plugin/logging']);
  }
}
