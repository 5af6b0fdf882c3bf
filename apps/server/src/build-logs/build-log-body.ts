import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Readable } from 'node:stream';
import { RouteBody } from '../common/http/route-body.js';

/** Media type the publish route's bodies are relabelled with, so only our pass-through parser sees them. */
const STREAMED_BODY_TYPE = 'application/x-hotend-build-log-stream';

/**
 * Lets the publish route take its body unparsed: Fastify would otherwise buffer `text/plain` into a string under
 * the global `bodyLimit`, and refuse other types. Like Vieter, any Content-Type (or none) is accepted; the handler
 * streams the body to disk and enforces `buildLogs.maxBodyBytes` itself.
 */
export const StreamedBuildLogBody = (): MethodDecorator => RouteBody(STREAMED_BODY_TYPE);

/** The parser behind `@StreamedBuildLogBody()`: hands the handler the body stream, unread. */
export function streamBuildLogBodies(fastify: FastifyInstance): void {
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
