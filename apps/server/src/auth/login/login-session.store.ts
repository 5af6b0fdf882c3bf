import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { ResolvedKey } from '../api-key.service.js';

/** Why a session ended; the push socket forwards it as `reauthRequired.reason`. */
export type SessionEndReason = 'logout' | 'stale' | 'removed' | 'modified';

/** One passive login with an API key: what the socket's `auth` message names. */
export interface LoginSession {
  /** 64 hex characters, as OctoPrint's session ids. */
  readonly id: string;
  /** The key's name when the session was created (the `user` half of `auth`). */
  readonly name: string;
  /** SHA-256 digest of the key the session was created with, to find the key again (see ApiKeyService). */
  readonly keyDigest: string;
  /** The key's permissions when the session was created; a change means `modified`. */
  readonly permissions: ResolvedKey['permissions'];
  /** Epoch ms of the last use (login, socket auth, socket keep-alive). */
  touchedAt: number;
  /** Sockets authed with this session; sessions in use are evicted last. */
  sockets: number;
}

export const SESSION_IDLE_MS = 15 * 60_000;
/** Per key: an API-key passive login mints a session every time (as OctoPrint), so the count must be bounded. */
export const MAX_SESSIONS_PER_KEY = 256;
export const MAX_SESSIONS = 1024;

type EndListener = (session: LoginSession, reason: SessionEndReason) => void;

/**
 * In-memory login sessions (lost on restart, as OctoPrint's): bounded per key and in total, expired after 15
 * minutes without use (checked lazily on every lookup), ended on logout. Listeners learn of every end, so the push
 * socket can tell its clients to re-authenticate.
 */
@Injectable()
export class LoginSessionStore {
  private readonly sessions = new Map<string, LoginSession>();
  private readonly endListeners = new Set<EndListener>();

  constructor(private readonly now: () => number = Date.now) {}

  get size(): number {
    return this.sessions.size;
  }

  onEnd(listener: EndListener): () => void {
    this.endListeners.add(listener);
    return () => this.endListeners.delete(listener);
  }

  create(key: ResolvedKey, keyDigest: string): LoginSession {
    this.expireIdle();
    const sameKey = [...this.sessions.values()].filter((session) => session.keyDigest === keyDigest);
    if (sameKey.length >= MAX_SESSIONS_PER_KEY) this.evictOne(sameKey);
    if (this.sessions.size >= MAX_SESSIONS) this.evictOne([...this.sessions.values()]);
    const session: LoginSession = {
      id: randomBytes(32).toString('hex'),
      name: key.name,
      keyDigest,
      permissions: key.permissions,
      touchedAt: this.now(),
      sockets: 0,
    };
    this.sessions.set(session.id, session);
    return session;
  }

  /** The live session with this id, or undefined (unknown, or idle too long: then it ends as `stale`). */
  find(id: string): LoginSession | undefined {
    const session = this.sessions.get(id);
    if (session === undefined) return undefined;
    if (this.now() - session.touchedAt > SESSION_IDLE_MS) {
      this.end(session, 'stale');
      return undefined;
    }
    return session;
  }

  touch(session: LoginSession): void {
    if (this.sessions.get(session.id) === session) session.touchedAt = this.now();
  }

  /** Ends every session of this key, or only `sessionId` when given; answers the sessions that ended. */
  logout(keyDigest: string | undefined, sessionId?: string): LoginSession[] {
    const ended = [...this.sessions.values()].filter(
      (session) =>
        (sessionId === undefined || session.id === sessionId) &&
        (keyDigest === undefined || session.keyDigest === keyDigest),
    );
    for (const session of ended) this.end(session, 'logout');
    return ended;
  }

  end(session: LoginSession, reason: SessionEndReason): void {
    if (!this.sessions.delete(session.id)) return;
    for (const listener of this.endListeners) listener(session, reason);
  }

  /** Ends the sessions whose key is gone (`removed`) or now holds other permissions (`modified`). */
  revokeChangedKeys(resolve: (keyDigest: string) => ResolvedKey | undefined): void {
    for (const session of [...this.sessions.values()]) {
      const key = resolve(session.keyDigest);
      if (key === undefined) this.end(session, 'removed');
      else if (key.permissions.join() !== session.permissions.join()) this.end(session, 'modified');
    }
  }

  /** Ends sessions idle for longer than SESSION_IDLE_MS. */
  expireIdle(): void {
    const cutoff = this.now() - SESSION_IDLE_MS;
    for (const session of [...this.sessions.values()]) {
      if (session.touchedAt < cutoff) this.end(session, 'stale');
    }
  }

  /** The least recently used session without a socket, else the least recently used one. */
  private evictOne(candidates: readonly LoginSession[]): void {
    const byAge = [...candidates].sort((a, b) => a.touchedAt - b.touchedAt);
    const victim = byAge.find((session) => session.sockets === 0) ?? byAge[0];
    if (victim !== undefined) this.end(victim, 'stale');
  }
}
