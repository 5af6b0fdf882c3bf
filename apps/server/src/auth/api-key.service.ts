import { hash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { HotendConfigService } from '../config/config.service.js';
import type { Permission } from './permission.js';

export interface ResolvedKey {
  readonly name: string;
  readonly permissions: readonly Permission[];
}

/**
 * SHA-256 of a key, base64: the one-shot `hash` is several times cheaper per request than `createHash`. Login
 * sessions keep this digest (never the key) to find their key again and notice it was removed or changed.
 */
export const keyDigestOf = (key: string): string => hash('sha256', key, 'base64');

@Injectable()
export class ApiKeyService {
  /** Configured keys by the digest of their secret; the secrets themselves are not kept. */
  private readonly keysByDigest = new Map<string, ResolvedKey>();

  constructor(config: HotendConfigService) {
    for (const entry of config.get().api.keys) {
      const digest = keyDigestOf(entry.key);
      // Two entries with one secret: the first wins, as before.
      if (this.keysByDigest.has(digest)) continue;
      this.keysByDigest.set(
        digest,
        Object.freeze({ name: entry.name, permissions: Object.freeze([...entry.permissions]) }),
      );
    }
  }

  /**
   * Finds the key's owner. Only the presented key's SHA-256 digest is ever compared, never the key itself, so
   * whatever the lookup's timing reveals is about a digest: it says nothing about how much of a guessed key
   * matches (a guess cannot be steered towards a digest prefix), and the time to hash depends only on the length.
   */
  resolve(presented: string): ResolvedKey | undefined {
    return this.keysByDigest.get(keyDigestOf(presented));
  }

  /** The key whose secret has this digest, as configured now (undefined once it is removed). */
  resolveDigest(digest: string): ResolvedKey | undefined {
    return this.keysByDigest.get(digest);
  }
}
