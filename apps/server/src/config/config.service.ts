import { Injectable } from '@nestjs/common';
import { join } from 'node:path';
import { persistConfigValue, type LoadedConfig } from './config.loader.js';
import type { HotendConfig } from './config.schema.js';

/** Where things live under the base directory. */
export interface DataPaths {
  readonly basedir: string;
  readonly configFile: string;
  readonly logs: string;
  readonly database: string;
  readonly buildLogs: string;
  readonly uploads: string;
}

/** The validated configuration, and the one place that writes changes back to `config.yaml`. */
@Injectable()
export class HotendConfigService {
  private current: HotendConfig;
  readonly paths: DataPaths;

  constructor(loaded: LoadedConfig) {
    this.current = loaded.config;
    this.paths = {
      basedir: loaded.basedir,
      configFile: loaded.file,
      logs: join(loaded.basedir, 'logs'),
      database: join(loaded.basedir, 'hotend.db'),
      buildLogs: join(loaded.basedir, 'build-logs'),
      uploads: join(loaded.basedir, 'uploads'),
    };
  }

  get(): HotendConfig {
    return this.current;
  }

  /** Persists one value (e.g. `['serial', 'port']`) and makes the revalidated config current. */
  persist(path: readonly string[], value: unknown): HotendConfig {
    this.current = persistConfigValue(this.paths.configFile, path, value);
    return this.current;
  }
}
