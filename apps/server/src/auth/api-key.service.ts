import { createHash, timingSafeEqual } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { HotendConfigService } from '../config/config.service.js';
import type { Permission } from './permission.js';

export interface ResolvedKey {
  readonly name: string;
  readonly permissions: readonly Permission[];
}

interface StoredKey extends ResolvedKey {
  readonly digest: Buffer;
}

const digestOf = (key: string): Buffer => createHash('sha256').update(key, 'utf8').digest();

@Injectable()
export class ApiKeyService {
  private readonly keys: StoredKey[];

  constructor(config: HotendConfigService) {
    this.keys = config.get().api.keys.map((entry) => ({
      name: entry.name,
      permissions: entry.permissions,
      digest: digestOf(entry.key),
    }));
  }

  /**
   * Finds the key's owner. Comparing fixed-length digests with timingSafeEqual, and always walking every
   * stored key, keeps the time independent of how much of a guess matches.
   */
  resolve(presented: string): ResolvedKey | undefined {
    const candidate = digestOf(presented);
    let match: StoredKey | undefined;
    for (const stored of this.keys) {
      if (timingSafeEqual(stored.digest, candidate) && match === undefined) match = stored;
    }
    return match === undefined ? undefined : { name: match.name, permissions: match.permissions };
  }
}
