import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { HotendConfigService } from '../config/config.service.js';
import { HOTEND_VERSION } from '../server-info/server-info.service.js';
import type { ConnectedMessageDto } from './push-messages.dto.js';
import { pushPermissions } from './push-permissions.js';

const sha1 = (text: string): string => createHash('sha1').update(text).digest('hex');

/** The `connected` message every socket gets first. */
@Injectable()
export class ConnectedMessageFactory {
  constructor(private readonly config: HotendConfigService) {}

  message(): ConnectedMessageDto {
    // Keys are left out of the hash: the hash is public, the keys are not.
    const { api: _keys, ...rest } = this.config.get();
    return {
      version: HOTEND_VERSION,
      display_version: HOTEND_VERSION,
      branch: null,
      python_version: `node ${process.versions.node}`,
      // Hotend has no plugins; a constant tells a UI nothing changed across reconnects.
      plugin_hash: sha1('hotend-no-plugins'),
      config_hash: sha1(JSON.stringify(rest)),
      debug: false,
      safe_mode: false,
      online: true,
      permissions: pushPermissions(),
    };
  }

  /** The serialised message. Built per connection, so a config change shows in the next `config_hash`. */
  json(): string {
    return JSON.stringify({ connected: this.message() });
  }
}
