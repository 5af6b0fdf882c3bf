import { type DynamicModule, Global, Module } from '@nestjs/common';
import type { LoadedConfig } from './config.loader.js';
import { HotendConfigService } from './config.service.js';

@Global()
@Module({})
export class ConfigModule {
  static register(loaded: LoadedConfig): DynamicModule {
    return {
      module: ConfigModule,
      providers: [{ provide: HotendConfigService, useValue: new HotendConfigService(loaded) }],
      exports: [HotendConfigService],
    };
  }
}
