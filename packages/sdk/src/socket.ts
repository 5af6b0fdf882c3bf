import './sockjs-global.js';
import SockJSModule from 'sockjs-client';
import type { BrowserApi } from './browser.js';
import type {
  PushClientMessages,
  PushEventName,
  PushEventPayloads,
  PushMessages,
  PushMessageType,
  PushSubscription,
} from './types.js';

/** The part of sockjs-client's socket this client uses (it behaves like a WebSocket). */
interface SockJsSocket {
  readonly readyState: number;
  onopen: (() => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}
type SockJsConstructor = new (url: string, reserved?: null, options?: Record<string, unknown>) => SockJsSocket;
const SockJS = SockJSModule as unknown as SockJsConstructor;
const SOCKJS_OPEN = 1;

/** One received message, as OctoPrint's client hands it to handlers. */
export interface SocketMessage<T extends PushMessageType = PushMessageType> {
  event: T;
  data: PushMessages[T];
}
export type SocketMessageHandler<T extends PushMessageType> = (message: SocketMessage<T>) => void;
export type SocketEventHandler<N extends PushEventName> = (payload: PushEventPayloads[N], name: N) => void;

export interface SocketOptions {
  /** Seconds to wait before each reconnect attempt; after the last one, `onReconnectFailed`. */
  timeouts?: readonly number[];
  /** ms until `connected` must have arrived, else `onConnectTimeout` (default 5000). */
  connectTimeout?: number;
  /** ms SockJS waits for a transport (default 4000). */
  transportTimeout?: number;
  /** Messages over which handler time is measured for automatic throttling (default 20). */
  rateSlidingWindowSize?: number;
  /** Log in with the client's key and send `auth` on every `connected` (default true when the client has a key). */
  autoAuth?: boolean;
  /** Anything else goes to `new SockJS(url, null, options)`: `transports`, `server`, `sessionId`, ... */
  [sockjsOption: string]: unknown;
}

const BASE_RATE_MS = 500;
const DEFAULT_TIMEOUTS = [0, 1, 1, 2, 3, 5, 8, 13, 20, 40, 100];

type Timer = ReturnType<typeof setTimeout>;

/**
 * The push socket (`/sockjs`), mirroring OctoPrint's `OctoPrintSocketClient`: `connect`, `onMessage`,
 * `sendMessage`, `sendAuth`, throttling by measured handler time, and reconnects with backoff. On top of it:
 * typed `onEvent` per event name, `subscribe`, `setThrottle`, and automatic passive login + `auth` with the client's
 * API key on every (re)connect. Uses the `sockjs-client` package, so it runs in browsers and in Node.
 *
 * ```ts
 * client.socket.onMessage('current', ({ data }) => render(data.state.text));
 * client.socket.onEvent('PrintDone', (job) => notify(job.name));
 * client.socket.connect();
 * ```
 */
export class HotendSocket {
  /** The underlying SockJS socket while connected. */
  socket: SockJsSocket | undefined;
  private readonly handlers = new Map<string, Set<SocketMessageHandler<PushMessageType>>>();
  private readonly eventHandlers = new Map<string, Set<SocketEventHandler<PushEventName>>>();
  private options: SocketOptions = {};
  private reconnectTrial = 0;
  private reconnectTimer: Timer | undefined;
  private connectTimer: Timer | undefined;
  private throttle = 1;
  /** The factor asked for with `setThrottle`: automatic throttling never goes faster than this. */
  private minimumThrottle = 1;
  private readonly handlerTimes: number[] = [];

  /** Called when the socket opened (before `connected`). */
  onConnected: () => void = () => {};
  /** Called with the close code when the connection dropped (not after `disconnect()`). */
  onDisconnected: (code: number) => void = () => {};
  /** Return true to stop reconnecting. */
  onReconnectAttempt: (trial: number) => boolean | void = () => {};
  onReconnectFailed: () => void = () => {};
  /** `connected` did not arrive within `connectTimeout`. */
  onConnectTimeout: () => void = () => {};
  onRateTooLow: (measuredMs: number, minimumMs: number) => void = () => {};
  onRateTooHigh: (measuredMs: number, maximumMs: number) => void = () => {};
  /** A passive login or `auth` after `connected` failed. */
  onAuthError: (error: unknown) => void = () => {};

  constructor(
    private readonly baseUrl: string,
    private readonly browser: BrowserApi,
    private readonly hasApiKey: boolean,
  ) {
    // As OctoPrint's UI: `modified` (the key's permissions changed) means log in again; `logout`, `stale` and
    // `removed` end the login (re-login after them would undo a logout, or fight over evicted sessions).
    this.onMessage('reauthRequired', ({ data }) => {
      if (!['logout', 'stale', 'removed'].includes(data.reason)) this.authenticate();
    });
    this.onMessage('connected', () => {
      clearTimeout(this.connectTimer);
      this.authenticate();
    });
    this.onMessage('event', ({ data }) => {
      const name = data.type as PushEventName;
      for (const key of [name, '*']) {
        for (const handler of this.eventHandlers.get(key) ?? []) {
          handler(data.payload as PushEventPayloads[PushEventName], name);
        }
      }
    });
  }

  /** Whether the socket is open. */
  get isOpen(): boolean {
    return this.socket?.readyState === SOCKJS_OPEN;
  }

  get throttleFactor(): number {
    return this.throttle;
  }

  connect(options: SocketOptions = {}): void {
    this.options = options;
    this.open();
  }

  /** Closes with 1000; no reconnect follows. */
  disconnect(): void {
    clearTimeout(this.reconnectTimer);
    clearTimeout(this.connectTimer);
    const socket = this.socket;
    this.socket = undefined;
    if (socket === undefined) return;
    socket.onclose = null;
    socket.onmessage = null;
    socket.close(1000, 'Normal closure');
  }

  /** Disconnects and connects again with the options of the last `connect`. */
  reconnect(): void {
    this.open();
  }

  /** Calls `handler` for each message of `type` (`'*'`: every message, before the typed handlers). */
  onMessage<T extends PushMessageType>(type: T | '*', handler: SocketMessageHandler<T>): this {
    let set = this.handlers.get(type);
    if (set === undefined) this.handlers.set(type, (set = new Set()));
    set.add(handler as SocketMessageHandler<PushMessageType>);
    return this;
  }

  removeMessage<T extends PushMessageType>(type: T | '*', handler: SocketMessageHandler<T>): this {
    this.handlers.get(type)?.delete(handler as SocketMessageHandler<PushMessageType>);
    return this;
  }

  /** Calls `handler` with the payload of each event named `name` (`'*'`: every event). */
  onEvent<N extends PushEventName>(name: N | '*', handler: SocketEventHandler<N>): this {
    let set = this.eventHandlers.get(name);
    if (set === undefined) this.eventHandlers.set(name, (set = new Set()));
    set.add(handler as unknown as SocketEventHandler<PushEventName>);
    return this;
  }

  removeEvent<N extends PushEventName>(name: N | '*', handler: SocketEventHandler<N>): this {
    this.eventHandlers.get(name)?.delete(handler as unknown as SocketEventHandler<PushEventName>);
    return this;
  }

  /** Sends `{type: payload}`. Throws while the socket is not open, as OctoPrint's client does. */
  sendMessage<T extends keyof PushClientMessages>(type: T, payload: PushClientMessages[T]): void {
    if (this.socket === undefined || !this.isOpen) throw new Error('The push socket is not open');
    this.socket.send(JSON.stringify({ [type]: payload }));
  }

  sendAuth(userId: string, session: string): void {
    this.sendMessage('auth', `${userId}:${session}`);
  }

  /**
   * Asks for `current` at most every 0.5 s × `factor`, and keeps at least that factor when slow handlers make the
   * client throttle itself (OctoPrint's automatic throttling) and speed up again.
   */
  setThrottle(factor: number): void {
    this.minimumThrottle = Math.max(1, Math.trunc(factor));
    this.sendFactor(this.minimumThrottle);
  }

  private sendFactor(factor: number): void {
    this.throttle = factor;
    this.sendMessage('throttle', factor);
  }

  /** OctoPrint's name for `setThrottle` with the current factor. */
  sendThrottleFactor(): void {
    this.sendMessage('throttle', this.throttle);
  }

  increaseRate(): void {
    if (this.throttle <= this.minimumThrottle) return;
    this.sendFactor(this.throttle - 1);
  }

  decreaseRate(): void {
    this.sendFactor(this.throttle + 1);
  }

  /** Replaces the subscription (state, events, plugins); send it before `auth` to shape the first `history`. */
  subscribe(subscription: PushSubscription): void {
    this.sendMessage('subscribe', subscription);
  }

  private open(): void {
    this.disconnect();
    const {
      timeouts: _t,
      connectTimeout,
      transportTimeout,
      rateSlidingWindowSize: _r,
      autoAuth: _a,
      ...sockjs
    } = this.options;
    const url = `${this.baseUrl.replace(/\/$/, '')}/sockjs`;
    const socket = new SockJS(url, null, { timeout: transportTimeout ?? 4000, ...sockjs });
    this.socket = socket;
    // A new connection starts at factor 1 on the server; ask again for what was set.
    this.throttle = 1;
    this.handlerTimes.length = 0;
    this.connectTimer = setTimeout(() => this.onConnectTimeout(), connectTimeout ?? 5000);
    socket.onopen = () => {
      this.reconnectTrial = 0;
      if (this.minimumThrottle > 1) this.sendFactor(this.minimumThrottle);
      this.onConnected();
    };
    socket.onclose = (event) => this.closed(event.code);
    socket.onmessage = (event) => this.received(event.data);
  }

  private closed(code: number): void {
    clearTimeout(this.connectTimer);
    this.socket = undefined;
    if (code === 1000) return;
    const timeouts = this.options.timeouts ?? DEFAULT_TIMEOUTS;
    if (this.onReconnectAttempt(this.reconnectTrial) === true) return;
    this.onDisconnected(code);
    const delay = timeouts[this.reconnectTrial];
    if (delay === undefined) {
      this.onReconnectFailed();
      return;
    }
    this.reconnectTrial += 1;
    this.reconnectTimer = setTimeout(() => this.reconnect(), delay * 1000);
  }

  /** SockJS frames carry the message object; the raw websocket carries its JSON text. */
  private received(raw: unknown): void {
    let message = raw;
    if (typeof raw === 'string') {
      try {
        message = JSON.parse(raw) as unknown;
      } catch {
        return;
      }
    }
    if (message === null || typeof message !== 'object') return;
    const started = Date.now();
    for (const [type, data] of Object.entries(message)) {
      for (const key of ['*', type]) {
        for (const handler of this.handlers.get(key) ?? []) handler({ event: type as PushMessageType, data });
      }
    }
    this.measure(Date.now() - started);
  }

  /** OctoPrint's automatic throttling: slow handlers ask for fewer `current`s, fast ones for more again. */
  private measure(elapsedMs: number): void {
    const window = this.options.rateSlidingWindowSize ?? 20;
    this.handlerTimes.push(elapsedMs);
    if (this.handlerTimes.length > window) this.handlerTimes.shift();
    if (!this.isOpen) return;
    const maximum = this.throttle * BASE_RATE_MS;
    const minimum = (this.throttle - 1) * BASE_RATE_MS;
    if (elapsedMs > maximum) {
      this.onRateTooLow(elapsedMs, maximum);
      this.decreaseRate();
    } else if (this.throttle > this.minimumThrottle && Math.max(...this.handlerTimes) < minimum) {
      this.onRateTooHigh(Math.max(...this.handlerTimes), minimum);
      this.increaseRate();
    }
  }

  private authenticate(): void {
    if (!(this.options.autoAuth ?? this.hasApiKey)) return;
    this.browser
      .passiveLogin()
      .then((login) => {
        if (login.name !== undefined && login.session !== undefined && this.isOpen)
          this.sendAuth(login.name, login.session);
      })
      .catch((error: unknown) => this.onAuthError(error));
  }
}
