import { type DynamicModule, Global, Logger, Module } from '@nestjs/common';
import type { HotendConfig } from '../config/config.schema.js';
import { HotendConfigService } from '../config/config.service.js';
import { ChildProcessChannel } from './child-process-channel.js';
import type { CommChannel, CommChannelFactory } from './comm-channel.js';
import { InProcessChannel } from './in-process-channel.js';
import { COMM_CHANNEL, PrinterCommService } from './printer-comm.service.js';
import { PRINTER_COMM, PRINTER_FEED } from './printer-comm.types.js';
import { PRINT_JOB_CONTROL } from './print-job.types.js';

/** The channel `serial.commProcess` asks for (the deprecated `serial.thread` is still understood, with a warning). */
export function configuredCommChannel(serial: HotendConfig['serial']): CommChannel {
  let mode = serial.commProcess;
  if (serial.thread !== undefined) {
    const equivalent = serial.thread === 'main' ? 'server' : 'child';
    new Logger('hotend.comm').warn(
      `serial.thread is deprecated: the comm layer runs in a process, not a thread. Use serial.commProcess: ${equivalent}`,
    );
    mode ??= equivalent;
  }
  return mode === 'server' ? new InProcessChannel() : new ChildProcessChannel();
}

/**
 * The serial comm layer: the only code that talks to the port. Provides PRINTER_COMM and PRINTER_FEED everywhere. `channel` replaces
 * the configured CommChannel (tests: an InProcessChannel with a virtual clock or their own simulator).
 */
@Global()
@Module({})
export class CommModule {
  static register(channel?: CommChannelFactory): DynamicModule {
    return {
      module: CommModule,
      providers: [
        {
          provide: COMM_CHANNEL,
          useFactory: (config: HotendConfigService): CommChannel =>
            channel?.() ?? configuredCommChannel(config.get().serial),
          inject: [HotendConfigService],
        },
        PrinterCommService,
        { provide: PRINTER_COMM, useExisting: PrinterCommService },
        { provide: PRINTER_FEED, useExisting: PrinterCommService },
        { provide: PRINT_JOB_CONTROL, useExisting: PrinterCommService },
      ],
      exports: [PrinterCommService, PRINTER_COMM, PRINTER_FEED, PRINT_JOB_CONTROL],
    };
  }
}
