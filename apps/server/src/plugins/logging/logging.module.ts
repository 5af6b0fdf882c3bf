import { Module } from '@nestjs/common';

/** Logging plugin API (seed 000) and Hotend's log files: see issue 6. */
@Module({})
export class LoggingPluginModule {}
