import { hash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { ApiKeyConfig } from '../config/config.schema.js';
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

/** How many valid keys' digests are kept for reuse; far more than a printer has clients. */
const KNOWN_DIGESTS_LIMIT = 64;

@Injectable()
export class ApiKeyService {
  /** Configured keys by the digest of their secret; the secrets themselves are not kept. */
  private keysByDigest = new Map<string, ResolvedKey>();
  private readonly changeListeners = new Set<() => void>();
  /**
   * The digests of valid keys as presented, so a client's key is hashed once, not on every request (the hash was
   * the guard's main cost). Only keys that resolved get in, so guesses cannot crowd them out; a Map lookup compares
   * the text only after the whole string's hash matched, so it reveals nothing about partly right guesses.
   */
  private readonly knownDigests = new Map<string, string>();

  constructor(config: HotendConfigService) {
    this.keysByDigest = ApiKeyService.index(config.get().api.keys);
  }

  private static index(entries: readonly ApiKeyConfig[]): Map<string, ResolvedKey> {
    const keys = new Map<string, ResolvedKey>();
    for (const entry of entries) {
      const digest = keyDigestOf(entry.key);
      // Two entries with one secret: the first wins, as before.
      if (keys.has(digest)) continue;
      keys.set(digest, Object.freeze({ name: entry.name, permissions: Object.freeze([...entry.permissions]) }));
    }
    return keys;
  }

  /** Makes `entries` the configured keys (config.yaml was edited); listeners learn of it when anything changed. */
  replace(entries: readonly ApiKeyConfig[]): void {
    const next = ApiKeyService.index(entries);
    const same =
      next.size === this.keysByDigest.size &&
      [...next].every(([digest, key]) => {
        const before = this.keysByDigest.get(digest);
        return before?.name === key.name && before.permissions.join() === key.permissions.join();
      });
    this.keysByDigest = next;
    this.knownDigests.clear();
    if (!same) for (const listener of this.changeListeners) listener();
  }

  /** Calls `listener` after every change of the configured keys; the returned function stops that. */
  onChange(listener: () => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  /**
   * Finds the key's owner. Only the presented key's SHA-256 digest is ever compared, never the key itself, so
   * whatever the lookup's timing reveals is about a digest: it says nothing about how much of a guessed key
   * matches (a guess cannot be steered towards a digest prefix), and the time to hash depends only on the length.
   */
  resolve(presented: string): ResolvedKey | undefined {
    const known = this.knownDigests.get(presented);
    if (known !== undefined) return this.keysByDigest.get(known);
    const digest = keyDigestOf(presented);
    const resolved = this.keysByDigest.get(digest);
    if (resolved !== undefined) {
      if (this.knownDigests.size >= KNOWN_DIGESTS_LIMIT) this.knownDigests.clear();
      this.knownDigests.set(presented, digest);
    }
    return resolved;
  }

  /** The key whose secret has this digest, as configured now (undefined once it is removed). */
  resolveDigest(digest: string): ResolvedKey | undefined {
    return this.keysByDigest.get(digest);
  }
}
