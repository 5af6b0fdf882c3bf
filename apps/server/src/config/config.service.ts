import { Injectable } from '@nestjs/common';
import { join } from 'node:path';
import { persistConfigValue, readConfigFile, type LoadedConfig } from './config.loader.js';
import type { ApiKeyConfig, HotendConfig } from './config.schema.js';

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

  /**
   * Re-reads `api.keys` from `config.yaml` (edited while running) and makes them current; the rest of the file
   * applies at the next start. Throws ConfigError, changing nothing, when the file is not valid.
   */
  reloadKeys(): readonly ApiKeyConfig[] {
    const keys = readConfigFile(this.paths.configFile).api.keys;
    this.current = Object.assign(Object.create(Object.getPrototypeOf(this.current) as object) as HotendConfig, {
      ...this.current,
      api: { ...this.current.api, keys },
    });
    return keys;
  }

  /** Persists one value (e.g. `['serial', 'port']`) and makes the revalidated config current. */
  persist(path: readonly string[], value: unknown): HotendConfig {
    this.current = persistConfigValue(this.paths.configFile, path, value);
    return this.current;
  }
}
