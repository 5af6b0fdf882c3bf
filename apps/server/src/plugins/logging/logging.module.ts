import { Module } from '@nestjs/common';
import { LogFilesRepository } from './log-files.repository.js';
import { LogDownloadsController, LoggingPluginController } from './logging.controller.js';
import { LoggingPluginService } from './logging.service.js';

/** Logging plugin API (seed 000): list, download, zip and delete log files; logger levels. */
@Module({
  controllers: [LoggingPluginController, LogDownloadsController],
  providers: [LoggingPluginService, LogFilesRepository],
})
export class LoggingPluginModule {}
