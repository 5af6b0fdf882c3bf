import { Module } from '@nestjs/common';

/** The serial comm layer: the only code that talks to the port. See issue 4. */
@Module({})
export class CommModule {}
