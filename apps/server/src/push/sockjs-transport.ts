import { createRequire } from 'node:module';
import type { Socket } from 'node:net';
import type { Connection } from 'sockjs';

/**
 * sockjs-node (0.3.24, the maintained SockJS server on npm) can only send strings: `conn.write(x)` stringifies and
 * every element of an `a[...]` frame is quoted, giving `a["{...}"]`. OctoPrint's client (and Hotend's SDK) expect
 * the message object itself in the array, `a[{"current":{...}}]`, and read a string element character by
 * character. Two methods are patched to let a pre-serialised message through unquoted; everything else
 * (transports, sessions, heartbeats) is sockjs-node's own.
 */

/** A message serialised once, sent as a JSON value inside the SockJS array frame. */
class PreframedMessage {
  constructor(readonly json: string) {}
  toString(): string {
    return this.json;
  }
}

interface SockjsReceiver {
  /** The TCP socket of a websocket receiver. */
  connection?: Socket | null;
  /** The HTTP response of an XHR receiver. */
  response?: { connection?: Socket | null } | null;
  doSendFrame(frame: string): boolean;
}

interface SockjsSession {
  readyState: number;
  /** Absent on the raw websocket, which writes straight to the socket. */
  send_buffer?: unknown[];
  recv: SockjsReceiver | null | undefined;
  ws?: { close(code: number, reason: string, ack: boolean): void } | null;
  tryFlush(): void;
  send(payload: unknown): boolean;
}

interface SockjsTransportModule {
  Transport: { OPEN: number };
  Session: { prototype: SockjsSession };
  GenericReceiver: { prototype: SockjsReceiver & { doSendBulk(messages: unknown[]): boolean } };
}

const require = createRequire(import.meta.url);
const transport = require('sockjs/lib/transport.js') as SockjsTransportModule;
const quote = (require('sockjs/lib/utils.js') as { quote(text: string): string }).quote;

let patched = false;

/** Applies the framing patch once per process (idempotent). */
export function patchSockjsFraming(): void {
  if (patched) return;
  patched = true;
  transport.Session.prototype.send = function (this: SockjsSession, payload: unknown): boolean {
    if (this.readyState !== transport.Transport.OPEN) return false;
    this.send_buffer?.push(payload instanceof PreframedMessage ? payload : String(payload));
    if (this.recv) this.tryFlush();
    return true;
  };
  transport.GenericReceiver.prototype.doSendBulk = function (this: SockjsReceiver, messages: unknown[]): boolean {
    const elements = messages.map((message) =>
      message instanceof PreframedMessage ? message.json : quote(String(message)),
    );
    return this.doSendFrame(`a[${elements.join(',')}]`);
  };
}

type ConnectionInternals = Connection & { _session?: SockjsSession | null };

/** One socket as the push layer sees it, whatever SockJS transport carries it. */
export class PushConnection {
  constructor(private readonly conn: Connection) {}

  get isRaw(): boolean {
    return this.conn.protocol === 'websocket-raw';
  }

  get remoteAddress(): string {
    return this.conn.remoteAddress ?? '';
  }

  get headers(): Readonly<Record<string, string>> {
    return this.conn.headers;
  }

  private get session(): SockjsSession | null | undefined {
    return (this.conn as ConnectionInternals)._session;
  }

  get isOpen(): boolean {
    return this.session?.readyState === transport.Transport.OPEN;
  }

  /** Sends one already serialised message (`{"type": payload}`). */
  sendJson(json: string): void {
    if (this.isRaw) this.conn.write(json);
    else this.session?.send(new PreframedMessage(json));
  }

  /**
   * Bytes written but not yet taken by the client: the TCP socket's send buffer for websockets, the session's
   * queue for XHR transports (each queued message counts as its length). A client that stops reading shows here.
   */
  bufferedBytes(): number {
    const session = this.session;
    if (session === null || session === undefined) return 0;
    const socket = session.recv?.connection ?? session.recv?.response?.connection;
    let queued = socket?.writableLength ?? 0;
    for (const message of session.send_buffer ?? []) queued += String(message).length;
    return queued;
  }

  onData(listener: (text: string) => void): void {
    this.conn.on('data', listener);
  }

  onClose(listener: () => void): void {
    this.conn.on('close', listener);
  }

  /**
   * Closes with a SockJS close frame; 3000 (not 1000) so OctoPrint's client reconnects (1000 stops it for good). A
   * client that does not complete the close within a second is dropped, so a stalled one cannot hold up shutdown.
   */
  close(code = 3000, reason = 'Go away!'): void {
    const socket = this.socket;
    if (socket !== undefined) setTimeout(() => socket.destroy(), 1000).unref();
    // @types/sockjs says string; sockjs-node writes the code into the close frame as given, and it must be a number.
    (this.conn as unknown as { close(code: number, reason: string): boolean }).close(code, reason);
  }

  /** Drops the TCP connection at once: for a client that stopped reading and cannot even take a close frame. */
  destroy(): void {
    const socket = this.socket;
    this.close(3000, 'Too slow');
    socket?.destroy();
  }

  /** The TCP socket of a websocket connection (XHR transports have none of their own). */
  private get socket(): Socket | undefined {
    if (!this.isRaw && this.session?.recv?.response !== undefined) return undefined;
    return this.session?.recv?.connection ?? undefined;
  }
}
