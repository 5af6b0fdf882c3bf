import { Module } from '@nestjs/common';

/** Batched log writes on /log (seed 001): see issue 6. */
@Module({})
export class LogIngestModule {}
