import type { IncomingMessage, Server as HttpServer, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Server as SockjsServer } from 'sockjs';

type RequestListener = (request: IncomingMessage, response: ServerResponse) => void;
type UpgradeListener = (request: IncomingMessage, socket: Duplex, head: Buffer) => void;
type SockjsHandler = (request: IncomingMessage, responseOrSocket: ServerResponse | Duplex, head?: Buffer) => boolean;

export interface SockjsAttachment {
  /** Puts the server's own listeners back. */
  detach(): void;
}

const DEFAULT_PORTS: Readonly<Record<string, string>> = { 'http:': '80', 'https:': '443' };

/**
 * Whether a page on `Origin` may use the socket: the same origin, or one `server.cors.origins` lets call the REST
 * API (the same list, compared as @fastify/cors does: exactly, or `*` for any).
 */
export function isAllowedOrigin(request: IncomingMessage, corsOrigins: readonly string[]): boolean {
  const origin = request.headers.origin;
  if (isSameOrigin(request)) return true;
  return origin !== undefined && (corsOrigins.includes('*') || corsOrigins.includes(origin));
}

/**
 * Same origin as OctoPrint decides it for the socket: no `Origin` header (non-browser clients), or one whose host
 * and port equal the request's `Host` (scheme-default ports filled in). Applied to every `/sockjs` path, not only
 * to the websocket upgrade as in OctoPrint, so the XHR transports cannot be read cross-origin either.
 */
export function isSameOrigin(request: IncomingMessage): boolean {
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  const host = request.headers.host;
  if (host === undefined) return false;
  try {
    const parsed = new URL(origin);
    const port = parsed.port || DEFAULT_PORTS[parsed.protocol] || '';
    const requested = new URL(`${parsed.protocol}//${host}`);
    const requestedPort = requested.port || DEFAULT_PORTS[requested.protocol] || '';
    return parsed.hostname.toLowerCase() === requested.hostname.toLowerCase() && port === requestedPort;
  } catch {
    return false;
  }
}

function refuse(target: ServerResponse | Duplex): void {
  const body = 'Cross-origin requests to /sockjs are not allowed (see server.cors.origins)\n';
  if ('writeHead' in target) {
    target.writeHead(403, { 'content-type': 'text/plain; charset=utf-8' }).end(body);
  } else {
    target.end(
      `HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
}

/**
 * Puts sockjs-node in front of the HTTP server's own `request` and `upgrade` listeners (Fastify's): requests under
 * `prefix` go to SockJS (after the origin check: same origin or one of `corsOrigins`), everything else to the server as before. Must run after
 * Fastify attached its listener and before the server listens (Nest's `onApplicationBootstrap`).
 */
export function attachSockjs(
  server: HttpServer,
  sockjs: SockjsServer,
  prefix: string,
  corsOrigins: readonly string[] = [],
): SockjsAttachment {
  const handle = (sockjs as SockjsServer & { middleware(options: object): SockjsHandler }).middleware({});
  const isPush = (request: IncomingMessage): boolean => {
    const url = request.url ?? '';
    return url === prefix || url.startsWith(`${prefix}/`) || url.startsWith(`${prefix}?`);
  };
  const previousRequest = server.listeners('request') as RequestListener[];
  const previousUpgrade = server.listeners('upgrade') as UpgradeListener[];
  const onRequest: RequestListener = (request, response) => {
    if (isPush(request)) {
      if (!isAllowedOrigin(request, corsOrigins)) return refuse(response);
      if (handle(request, response)) return;
    }
    for (const listener of previousRequest) listener.call(server, request, response);
  };
  const onUpgrade: UpgradeListener = (request, socket, head) => {
    if (isPush(request)) {
      if (!isAllowedOrigin(request, corsOrigins)) return refuse(socket);
      if (handle(request, socket, head)) return;
    }
    if (previousUpgrade.length === 0) socket.destroy();
    for (const listener of previousUpgrade) listener.call(server, request, socket, head);
  };
  server.removeAllListeners('request');
  server.removeAllListeners('upgrade');
  server.on('request', onRequest);
  server.on('upgrade', onUpgrade);
  return {
    detach: () => {
      server.removeListener('request', onRequest);
      server.removeListener('upgrade', onUpgrade);
      for (const listener of previousRequest) server.on('request', listener);
      for (const listener of previousUpgrade) server.on('upgrade', listener);
    },
  };
}
