import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';

type Headers = FastifyRequest['headers'];

const HOST = /^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;
const PREFIX = /^\/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*$/;

/** The first (client-facing) value of a header that proxies may have appended to, trimmed. */
function firstValue(headers: Headers, name: string): string | undefined {
  const raw = headers[name];
  const text = Array.isArray(raw) ? raw[0] : raw;
  const first = text?.split(',')[0]?.trim();
  return first === undefined || first === '' ? undefined : first;
}

function localHost(request: Pick<FastifyRequest, 'socket'>): string {
  const address = request.socket.localAddress ?? '127.0.0.1';
  const host = address.includes(':') ? `[${address}]` : address;
  return `${host}:${request.socket.localPort ?? 80}`;
}

/**
 * The base URL the caller used to reach Hotend, honouring a reverse proxy: scheme from `X-Forwarded-Proto`
 * (or `X-Scheme`), host from `X-Forwarded-Host` then `Host`, path prefix from `X-Forwarded-Prefix` (or
 * `X-Script-Name`, as OctoPrint reads it). Malformed values are ignored rather than echoed into a URL.
 */
export function externalBaseUrl(request: Pick<FastifyRequest, 'headers' | 'protocol' | 'socket'>): string {
  const headers = request.headers;
  const forwardedProto = (firstValue(headers, 'x-forwarded-proto') ?? firstValue(headers, 'x-scheme'))?.toLowerCase();
  const scheme = forwardedProto === 'http' || forwardedProto === 'https' ? forwardedProto : request.protocol;
  const host = [firstValue(headers, 'x-forwarded-host'), firstValue(headers, 'host')].find(
    (candidate) => candidate !== undefined && HOST.test(candidate),
  );
  const prefix = [firstValue(headers, 'x-forwarded-prefix'), firstValue(headers, 'x-script-name')]
    .find((candidate) => candidate !== undefined && PREFIX.test(candidate))
    ?.replace(/\/+$/, '');
  return `${scheme}://${host ?? localHost(request)}${prefix ?? ''}`;
}

/** The caller's view of this server's base URL (see `externalBaseUrl`). */
export const ExternalBaseUrl = createParamDecorator((_: unknown, ctx: ExecutionContext): string =>
  externalBaseUrl(ctx.switchToHttp().getRequest<FastifyRequest>()),
);
