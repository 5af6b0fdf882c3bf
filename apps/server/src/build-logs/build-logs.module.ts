import { Module } from '@nestjs/common';

/** Build logs API (seed 002): see issue 7. */
@Module({})
export class BuildLogsModule {}
