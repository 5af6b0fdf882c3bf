import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Readable } from 'node:stream';

/** The publish route: its body is a build log of any size, read as a stream by the handler. */
export const BUILD_LOG_PUBLISH_PATH = '/api/v1/logs';
/** Media type the publish route's bodies are relabelled with, so only our pass-through parser sees them. */
const STREAMED_BODY_TYPE = 'application/x-hotend-build-log-stream';

function isPublishRequest(method: string, url: string): boolean {
  const query = url.indexOf('?');
  return method === 'POST' && (query === -1 ? url : url.slice(0, query)) === BUILD_LOG_PUBLISH_PATH;
}

/**
 * Lets `POST /api/v1/logs` take its body unparsed: Fastify would otherwise buffer `text/plain` into a string
 * under the global `bodyLimit`, and refuse other types. Like Vieter, any Content-Type (or none) is accepted;
 * the handler streams the body to disk and enforces `buildLogs.maxBodyBytes` itself. Other routes keep
 * Fastify's default parsing, untouched.
 */
export function streamBuildLogBodies(fastify: FastifyInstance): void {
  // A callback hook, not an async one: it runs on every request, and a promise per request costs a microtask.
  fastify.addHook('onRequest', (request, _reply, done) => {
    if (isPublishRequest(request.method, request.url)) request.headers['content-type'] = STREAMED_BODY_TYPE;
    done();
  });
  fastify.addContentTypeParser(STREAMED_BODY_TYPE, (_request, payload, done) => done(null, payload));
}

/** The publish body as the handler sees it. */
export interface IncomingBuildLog {
  /** The body, not yet read; undefined when the request had none. */
  readonly stream: Readable | undefined;
  /** The `Content-Length` the client announced, if any (chunked bodies have none). */
  readonly declaredLength: number | undefined;
  /** Ask Node to close the connection after the reply instead of reading an unwanted body to its end. */
  closeConnectionAfterReply(): void;
}

/** Parameter decorator giving the publish handler its body as a stream (global pipes do not touch it). */
export const BuildLogBody = createParamDecorator((_: unknown, context: ExecutionContext): IncomingBuildLog => {
  const http = context.switchToHttp();
  const request = http.getRequest<FastifyRequest>();
  const reply = http.getResponse<FastifyReply>();
  const length = request.headers['content-length'];
  return {
    stream: request.body instanceof Readable ? request.body : undefined,
    declaredLength: length === undefined ? undefined : Number(length),
    closeConnectionAfterReply: () => void reply.header('connection', 'close'),
  };
});
