import { Module } from '@nestjs/common';
import { LoginModule } from '../auth/login/login.module.js';
import { JobModule } from '../job/job.module.js';
import { PrinterModule } from '../printer/printer.module.js';
import { ConnectedMessageFactory } from './connected-message.js';
import { PushGateway } from './push.gateway.js';
import { PushStateSource } from './push-state.source.js';

/** The push socket at `/sockjs`, with OctoPrint's login (POST /api/login) that authenticates it. */
@Module({
  imports: [LoginModule, JobModule, PrinterModule],
  providers: [PushGateway, PushStateSource, ConnectedMessageFactory],
  exports: [PushStateSource],
})
export class PushModule {}
