import type { ApiKeyService } from '../auth/api-key.service.js';
import type { LoginSession, LoginSessionStore, SessionEndReason } from '../auth/login/login-session.store.js';
import { hasPermission, Permission } from '../auth/permission.js';
import type { EventBus } from '../events/event-bus.service.js';
import type { HotendEvent } from '../events/events.dto.js';
import {
  type ClientMessage,
  DEFAULT_SUBSCRIPTION,
  type LineFilter,
  parseClientMessage,
  stateTurnedOn,
  type Subscription,
} from './client-message.js';
import type { PushMessagesDto, PushMessageType } from './push-messages.dto.js';
import { BASE_INTERVAL_MS, type PushStateSource } from './push-state.source.js';
import { mergeFrames, type StateFrame } from './push-state.js';
import type { PushConnection } from './sockjs-transport.js';

/** When a socket is cut off as too slow. */
export interface PushLimits {
  /** Unread output (beyond what the kernel buffers) past which the socket is cut off. */
  maxBufferedBytes: number;
  /** Terminal lines a throttled socket may have waiting for its next `current`; more means it cannot keep up. */
  maxPendingLines: number;
}

export const DEFAULT_PUSH_LIMITS: Readonly<PushLimits> = {
  maxBufferedBytes: 4 * 1024 * 1024,
  maxPendingLines: 100_000,
};
/** Messages kept for a socket that has not authenticated yet (OctoPrint: 100, later ones dropped). */
export const MAX_BACKLOG = 100;

/** Events only ADMIN sockets see; events whose payload other sockets get as `{}`. */
const ADMIN_EVENTS = new Set(['UserLoggedIn', 'UserLoggedOut']);
const SCRUBBED_EVENTS = new Set(['ClientOpened', 'ClientAuthed']);

export interface PushClientDeps {
  readonly sessions: LoginSessionStore;
  readonly keys: ApiKeyService;
  readonly state: PushStateSource;
  readonly events: EventBus;
  readonly connected: () => string;
  readonly log: (message: string) => void;
  readonly limits: Readonly<PushLimits>;
}

const serialize = <T extends PushMessageType>(type: T, payload: PushMessagesDto[T]): string =>
  JSON.stringify({ [type]: payload });

function matches(filter: LineFilter, line: string): boolean {
  return typeof filter === 'boolean' ? filter : filter.test(line);
}

/**
 * One push socket: its login, subscription and throttle, and the `current` it owes. `current` goes out at most
 * once per 0.5 s × throttle; frames that arrive in between are merged, so no temperature point or terminal line is
 * lost or repeated. Everything is sent without waiting on the client; one that stops reading is cut off.
 */
export class PushClient {
  private session: LoginSession | undefined;
  /** Set once the socket was ever authed; before that, refused messages wait in the backlog. */
  private everAuthed = false;
  private registered = false;
  private throttle = 1;
  private subscription: Subscription = DEFAULT_SUBSCRIPTION;
  private customSubscription = false;
  private pending: StateFrame | undefined;
  private flushTimer: NodeJS.Timeout | undefined;
  private lastCurrentAt = 0;
  private backlog: HotendEvent[] = [];
  private closed = false;

  constructor(
    readonly connection: PushConnection,
    private readonly deps: PushClientDeps,
  ) {
    connection.onData((data) => {
      try {
        this.receive(data);
      } catch (error) {
        deps.log(`A push message failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    });
    this.sendRaw(deps.connected());
  }

  get sessionId(): string | undefined {
    return this.session?.id;
  }

  get isRegistered(): boolean {
    return this.registered;
  }

  /** The permissions of the socket's key as configured now (none while anonymous). */
  private permissions(): readonly Permission[] {
    if (this.session === undefined) return [];
    return this.deps.keys.resolveDigest(this.session.keyDigest)?.permissions ?? [];
  }

  private can(permission: Permission): boolean {
    return hasPermission(this.permissions(), permission);
  }

  receive(data: unknown): void {
    const message: ClientMessage = parseClientMessage(data);
    switch (message.kind) {
      case 'auth':
        return this.authenticate(message.user, message.session);
      case 'throttle':
        this.throttle = message.factor;
        return;
      case 'subscribe':
        return this.subscribe(message.subscription);
      case 'invalid':
        this.deps.log(`Ignored a message from ${this.connection.remoteAddress}: ${message.reason}`);
    }
  }

  private authenticate(user: string, sessionId: string): void {
    const session = this.deps.sessions.find(sessionId);
    if (session === undefined || session.name !== user) {
      this.deauthenticate('stale');
      return;
    }
    if (this.session !== session) {
      if (this.session !== undefined) this.session.sockets -= 1;
      session.sockets += 1;
      this.session = session;
    }
    this.deps.sessions.touch(session);
    this.everAuthed = true;
    const backlog = this.backlog;
    this.backlog = [];
    // Re-checked against the key now authed (OctoPrint sends the backlog unchecked).
    for (const event of backlog) this.sendEvent(event);
    this.deps.events.emit('ClientAuthed', { username: session.name, remoteAddress: this.connection.remoteAddress });
    if (!this.registered && this.can(Permission.STATUS)) {
      this.registered = true;
      this.sendHistory();
    }
  }

  /** The session ended (logout, expiry, key removed or changed): the socket becomes anonymous. */
  deauthenticate(reason: SessionEndReason): void {
    if (this.session !== undefined) this.session.sockets -= 1;
    this.session = undefined;
    this.registered = false;
    this.pending = undefined;
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    this.sendRaw(serialize('reauthRequired', { reason }));
  }

  /** Called every 60 s: an authed socket keeps its session alive. */
  keepAlive(): void {
    if (this.session !== undefined) this.deps.sessions.touch(this.session);
  }

  private subscribe(subscription: Subscription): void {
    const before = this.subscription;
    this.subscription = subscription;
    this.customSubscription = true;
    if (this.registered && stateTurnedOn(before, subscription)) this.sendHistory();
    if (subscription.state === false) this.pending = undefined;
  }

  private sendHistory(): void {
    const { state } = this.subscription;
    if (state === false) return;
    const past = this.deps.state.history();
    const terminal = this.can(Permission.MONITOR_TERMINAL);
    const { busyFiles: _busy, ...base } = this.deps.state.base();
    this.sendRaw(
      serialize('history', {
        ...base,
        temps: past.temps,
        ...(terminal
          ? {
              logs: (past.logs ?? []).filter((line) => matches(state.logs, line)),
              messages: (past.messages ?? []).filter((line) => matches(state.messages, line)),
            }
          : {}),
        serverTime: Date.now() / 1000,
      }),
    );
    this.sendRaw(serialize('timelapse', null));
    // A `current` produced before `history` is dropped (OctoPrint's order).
    this.pending = undefined;
  }

  /** A new frame from the state source: owed to this socket, sent now or when its throttle allows. */
  offer(frame: StateFrame): void {
    if (!this.registered || this.subscription.state === false) return;
    if (!this.can(Permission.STATUS)) return;
    this.pending = this.pending === undefined ? frame : mergeFrames(this.pending, frame);
    if (this.pending.logs.length > this.deps.limits.maxPendingLines) {
      this.cutOff('too many terminal lines waiting');
      return;
    }
    if (this.flushTimer !== undefined) return;
    // Spacing is measured in the frames' own times: the state source already spaces frames 0.5 s apart, so at
    // throttle 1 each goes out as it comes, never held for the few ms the event loop took to deliver it.
    const dueAt = this.lastCurrentAt + BASE_INTERVAL_MS * this.throttle;
    const frameAt = frame.serverTime * 1000;
    if (frameAt >= dueAt) this.flushCurrent(frameAt);
    else this.flushTimer = setTimeout(() => this.flushCurrent(Date.now()), Math.max(0, dueAt - Date.now()));
  }

  private flushCurrent(sentAt: number): void {
    this.flushTimer = undefined;
    const frame = this.pending;
    this.pending = undefined;
    const { state } = this.subscription;
    if (frame === undefined || state === false || this.closed) return;
    this.lastCurrentAt = sentAt;
    const terminal = this.can(Permission.MONITOR_TERMINAL);
    const filtered = this.customSubscription && (state.logs !== true || state.messages !== true);
    if (!filtered) {
      // The common case: every socket with the same terminal permission sends the same text.
      const variant = terminal ? 'terminal' : 'plain';
      let json = frame.json.get(variant);
      if (json === undefined) {
        json = serialize('current', currentOf(frame, terminal ? { logs: true, messages: true } : undefined));
        frame.json.set(variant, json);
      }
      this.sendRaw(json);
      return;
    }
    this.sendRaw(serialize('current', currentOf(frame, terminal ? state : undefined)));
  }

  /** An event from the bus, if this socket may see it. */
  sendEvent(event: HotendEvent): void {
    const { events } = this.subscription;
    if (events !== true && !events.has(event.type)) return;
    const permissions = this.permissions();
    const allowed = ADMIN_EVENTS.has(event.type)
      ? hasPermission(permissions, Permission.ADMIN)
      : hasPermission(permissions, Permission.STATUS);
    if (!allowed) {
      if (!this.everAuthed && this.backlog.length < MAX_BACKLOG) this.backlog.push(event);
      return;
    }
    const payload =
      SCRUBBED_EVENTS.has(event.type) && !hasPermission(permissions, Permission.ADMIN) ? {} : event.payload;
    this.sendRaw(JSON.stringify({ event: { type: event.type, payload } }));
  }

  private sendRaw(json: string): void {
    if (this.closed) return;
    if (this.connection.bufferedBytes() > this.deps.limits.maxBufferedBytes) {
      this.cutOff('it stopped reading');
      return;
    }
    this.connection.sendJson(json);
  }

  private cutOff(why: string): void {
    this.deps.log(`Cut off push socket from ${this.connection.remoteAddress}: ${why}`);
    this.dispose();
    this.connection.destroy();
  }

  /** The socket closed: stop every timer and let go of the session. */
  dispose(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.flushTimer);
    this.pending = undefined;
    this.backlog = [];
    if (this.session !== undefined) this.session.sockets -= 1;
    this.session = undefined;
  }
}

/** A frame as a `current` payload; terminal lines only with a filter (i.e. with MONITOR_TERMINAL). */
function currentOf(
  frame: StateFrame,
  terminal: { logs: LineFilter; messages: LineFilter } | undefined,
): PushMessagesDto['current'] {
  return {
    ...frame.base,
    temps: [...frame.temps],
    ...(terminal === undefined
      ? {}
      : {
          logs: frame.logs.filter((line) => matches(terminal.logs, line)),
          messages: frame.messages.filter((line) => matches(terminal.messages, line)),
        }),
    serverTime: frame.serverTime,
  };
}
