import { Module } from '@nestjs/common';

/** Connection API: see issue 4. */
@Module({})
export class ConnectionModule {}
