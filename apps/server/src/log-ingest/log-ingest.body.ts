import type { FastifyInstance } from 'fastify';
import { RouteBody } from '../common/http/route-body.js';

/** Media type `/log` bodies are relabelled with, so only the raw-text parser below reads them. */
const LOG_BODY_TYPE = 'application/x-hotend-log-parameters';

/**
 * Gives a `/log` handler its body as the raw text, whatever the Content-Type (form, text/plain, none): the
 * urlencoded parser would merge repeated keys and lose the grouping of the batch.
 */
export const LogParametersBody = (): MethodDecorator => RouteBody(LOG_BODY_TYPE);

/** The parser behind `@LogParametersBody()`; bodies over `bodyLimit` bytes are refused with 413 while being read. */
export function readLogBodiesAsText(fastify: FastifyInstance, bodyLimit: number): void {
  fastify.addContentTypeParser(LOG_BODY_TYPE, { parseAs: 'string', bodyLimit }, (_request, body, done) =>
    done(null, body),
  );
}
