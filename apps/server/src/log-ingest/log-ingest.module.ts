import { Module } from '@nestjs/common';
import { LogIngestController } from './log-ingest.controller.js';
import { LogIngestService } from './log-ingest.service.js';

/** Batched log writes on /log (seed 001). Bodies are read as raw text, see `readLogBodiesAsText`. */
@Module({ controllers: [LogIngestController], providers: [LogIngestService] })
export class LogIngestModule {}
