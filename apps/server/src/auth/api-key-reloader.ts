import { type FSWatcher, watch } from 'node:fs';
import { basename, dirname } from 'node:path';
import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { HotendConfigService } from '../config/config.service.js';
import { ApiKeyService } from './api-key.service.js';

/** Editors write a file in several steps (truncate, write, rename): wait for them to settle. */
const SETTLE_MS = 150;

/**
 * Applies edits to `api.keys` in config.yaml while the server runs, so removing a key revokes it at once: its
 * requests are refused and its login sessions end (sockets get `reauthRequired`). The folder is watched, not the
 * file, because an atomic save replaces the file. A file that does not validate changes nothing (logged).
 */
@Injectable()
export class ApiKeyReloader implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('hotend.auth');
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly config: HotendConfigService,
    private readonly keys: ApiKeyService,
  ) {}

  onApplicationBootstrap(): void {
    const file = this.config.paths.configFile;
    try {
      this.watcher = watch(dirname(file), (_event, name) => {
        if (name !== null && name !== basename(file)) return;
        clearTimeout(this.timer);
        this.timer = setTimeout(() => this.reload(), SETTLE_MS);
      });
      this.watcher.on('error', (error) => this.logger.warn(`Stopped watching ${file}: ${error.message}`));
    } catch (error) {
      this.logger.warn(`Cannot watch ${file}; key changes apply at the next start: ${(error as Error).message}`);
    }
  }

  onModuleDestroy(): void {
    clearTimeout(this.timer);
    this.watcher?.close();
  }

  /** Reads the keys again now. */
  reload(): void {
    try {
      this.keys.replace(this.config.reloadKeys());
    } catch (error) {
      this.logger.warn(
        `config.yaml changed but was not applied, the keys stay as they were: ${(error as Error).message}`,
      );
    }
  }
}
