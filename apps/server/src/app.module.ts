import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { AuthModule } from './auth/auth.module.js';
import { BuildLogsModule } from './build-logs/build-logs.module.js';
import type { CommChannelFactory } from './comm/comm-channel.js';
import { CommModule } from './comm/comm.module.js';
import { FilesModule } from './files/files.module.js';
import { JobModule } from './job/job.module.js';
import { HttpErrorFilter } from './common/errors/http-error.filter.js';
import { createValidationPipe } from './common/validation.js';
import type { LoadedConfig } from './config/config.loader.js';
import { ConfigModule } from './config/config.module.js';
import { ConnectionModule } from './connection/connection.module.js';
import { LogIngestModule } from './log-ingest/log-ingest.module.js';
import { EventsModule } from './events/events.module.js';
import { HotendLoggingModule } from './logging/logging.module.js';
import { LoggingPluginModule } from './plugins/logging/logging.module.js';
import { PrinterModule } from './printer/printer.module.js';
import { PushModule } from './push/push.module.js';
import { ServerInfoModule } from './server-info/server-info.module.js';
import { SystemModule } from './system/system.module.js';

/** One module per API section; config, auth, the validation pipe and the error filter are global. */
@Module({})
export class AppModule {
  static register(loaded: LoadedConfig, commChannel?: CommChannelFactory): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.register(loaded),
        HotendLoggingModule,
        AuthModule,
        EventsModule,
        CommModule.register(commChannel),
        ServerInfoModule,
        ConnectionModule,
        PrinterModule,
        SystemModule,
        LoggingPluginModule,
        LogIngestModule,
        BuildLogsModule,
        FilesModule,
        JobModule,
        PushModule,
      ],
      providers: [
        { provide: APP_PIPE, useFactory: createValidationPipe },
        { provide: APP_FILTER, useClass: HttpErrorFilter },
      ],
    };
  }
}
