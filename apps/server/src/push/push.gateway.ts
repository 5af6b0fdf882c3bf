import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { Server as HttpServer } from 'node:http';
import { createServer, type Connection } from 'sockjs';
import { ApiKeyService } from '../auth/api-key.service.js';
import { LoginSessionStore } from '../auth/login/login-session.store.js';
import { HotendConfigService } from '../config/config.service.js';
import { EventBus } from '../events/event-bus.service.js';
import { attachSockjs, type SockjsAttachment } from './sockjs-attach.js';
import { ConnectedMessageFactory } from './connected-message.js';
import { DEFAULT_PUSH_LIMITS, PushClient, type PushClientDeps, type PushLimits } from './push-client.js';
import { PushStateSource } from './push-state.source.js';
import { PushConnection, patchSockjsFraming } from './sockjs-transport.js';

/** Where the socket lives, as in OctoPrint. */
export const PUSH_PREFIX = '/sockjs';
/** Authed sockets touch their session this often, so an open socket keeps its login alive. */
const KEEP_ALIVE_MS = 60_000;

/**
 * OctoPrint's push socket at `/sockjs`: sockjs-node attached to the server's HTTP server (websocket, XHR
 * fallbacks and the raw `/sockjs/websocket`), one PushClient per connection, fed by the state source and the event
 * bus. Login sessions ending (logout, expiry, key removed or changed) reach the sockets that use them.
 */
@Injectable()
export class PushGateway implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('hotend.push');
  private readonly clients = new Set<PushClient>();
  private readonly unsubscribe: (() => void)[] = [];
  private attachment: SockjsAttachment | undefined;
  private keepAlive: NodeJS.Timeout | undefined;
  private readonly deps: PushClientDeps;
  /** When sockets are cut off as too slow (tests lower them). */
  readonly limits: PushLimits = { ...DEFAULT_PUSH_LIMITS };

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly sessions: LoginSessionStore,
    private readonly keys: ApiKeyService,
    private readonly state: PushStateSource,
    private readonly events: EventBus,
    private readonly config: HotendConfigService,
    connected: ConnectedMessageFactory,
  ) {
    this.deps = {
      sessions,
      keys,
      state,
      events,
      connected: () => connected.json(),
      log: (message) => this.logger.debug(message),
      limits: this.limits,
    };
  }

  get clientCount(): number {
    return this.clients.size;
  }

  /** Output written to sockets and not yet taken by their clients, in bytes: what slow clients cost in memory. */
  get bufferedBytes(): number {
    let total = 0;
    for (const client of this.clients) total += client.connection.bufferedBytes();
    return total;
  }

  onApplicationBootstrap(): void {
    patchSockjsFraming();
    const sockjs = createServer({
      prefix: PUSH_PREFIX,
      log: (severity, message) => {
        if (severity === 'error') this.logger.warn(message);
      },
    });
    sockjs.on('connection', (conn: Connection | null) => {
      // sockjs-node emits a null connection for a session that closed before it opened.
      if (conn === null) return;
      try {
        this.open(new PushConnection(conn));
      } catch (error) {
        // Never let one socket's failure reach sockjs-node's emitter (it would crash the server).
        this.logger.error(`Push socket failed to open: ${error instanceof Error ? error.stack : String(error)}`);
        conn.close();
      }
    });
    const server = this.adapterHost.httpAdapter.getHttpServer() as HttpServer;
    this.attachment = attachSockjs(server, sockjs, PUSH_PREFIX, this.config.get().server.cors.origins);
    this.unsubscribe.push(
      this.state.onFrame((frame) => {
        // Key changes take effect at the next frame, not only at the next keep-alive.
        this.checkKeys();
        for (const client of this.clients) client.offer(frame);
      }),
      this.events.subscribe((event) => {
        for (const client of this.clients) client.sendEvent(event);
      }),
      this.keys.onChange(() => this.checkKeys()),
      this.sessions.onEnd((session, reason) => {
        for (const client of this.clients) if (client.sessionId === session.id) client.deauthenticate(reason);
      }),
    );
    this.keepAlive = setInterval(() => this.keepSessionsAlive(), KEEP_ALIVE_MS);
    this.keepAlive.unref();
    this.events.emit('Startup', null);
  }

  onModuleDestroy(): void {
    this.events.emit('Shutdown', null);
    clearInterval(this.keepAlive);
    for (const stop of this.unsubscribe.splice(0)) stop();
    this.closeAll();
    this.attachment?.detach();
  }

  /** Closes every socket with 3000, not 1000: OctoPrint's client reconnects after 3000, gives up after 1000. */
  closeAll(): void {
    for (const client of [...this.clients]) {
      client.dispose();
      client.connection.close(3000, 'Go away!');
    }
    this.clients.clear();
    this.state.watchTerminal(false);
  }

  private open(connection: PushConnection): void {
    const client = new PushClient(connection, this.deps);
    this.clients.add(client);
    this.state.watchTerminal(true);
    connection.onClose(() => {
      client.dispose();
      this.clients.delete(client);
      if (this.clients.size === 0) this.state.watchTerminal(false);
      this.events.emit('ClientClosed', { remoteAddress: connection.remoteAddress });
    });
    this.events.emit('ClientOpened', { remoteAddress: connection.remoteAddress });
  }

  /** Touches the sessions of authed sockets; ends sessions whose key was removed or had its permissions changed. */
  private keepSessionsAlive(): void {
    for (const client of this.clients) client.keepAlive();
    this.checkKeys();
    this.sessions.expireIdle();
  }

  /** Ends sessions whose key is gone (`removed`) or now holds other permissions (`modified`). */
  checkKeys(): void {
    this.sessions.revokeChangedKeys((digest) => this.keys.resolveDigest(digest));
  }
}
