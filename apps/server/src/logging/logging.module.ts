import { Global, Module } from '@nestjs/common';
import { HotendLogService } from './log.service.js';
import { HOTEND_LOG } from './logging.types.js';
import { HotendNestLogger } from './nest-logger.js';

/** Hotend's own log files, available everywhere as `HotendLogService` or `@Inject(HOTEND_LOG)`. */
@Global()
@Module({
  providers: [HotendLogService, { provide: HOTEND_LOG, useExisting: HotendLogService }, HotendNestLogger],
  exports: [HotendLogService, HOTEND_LOG, HotendNestLogger],
})
export class HotendLoggingModule {}
