import { Module } from '@nestjs/common';
import { HotendConfigService } from '../config/config.service.js';
import { BuildLogContentStore } from './build-log-content.store.js';
import { BUILD_LOG_REPOSITORY, SqliteBuildLogRepository } from './build-log.repository.js';
import { BuildLogsController } from './build-logs.controller.js';
import { BuildLogsService } from './build-logs.service.js';

/** Build logs API (seed 002): metadata in SQLite at `<basedir>/hotend.db`, contents in `<basedir>/build-logs/`. */
@Module({
  controllers: [BuildLogsController],
  providers: [
    BuildLogsService,
    {
      provide: BUILD_LOG_REPOSITORY,
      useFactory: (config: HotendConfigService) => SqliteBuildLogRepository.open(config.paths.database),
      inject: [HotendConfigService],
    },
    {
      provide: BuildLogContentStore,
      useFactory: (config: HotendConfigService) => new BuildLogContentStore(config.paths.buildLogs),
      inject: [HotendConfigService],
    },
  ],
  exports: [BuildLogsService],
})
export class BuildLogsModule {}
