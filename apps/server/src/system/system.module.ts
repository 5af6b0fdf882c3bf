import { Module } from '@nestjs/common';

/** System commands API (seed 003): see issue 5. */
@Module({})
export class SystemModule {}
