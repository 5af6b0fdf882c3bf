import type { FastifyInstance } from 'fastify';

/** Media type `/log` bodies are relabelled with, so only the raw-text parser below reads them. */
const LOG_BODY_TYPE = 'application/x-hotend-log-parameters';

function isLogPath(url: string): boolean {
  const query = url.indexOf('?');
  const path = query === -1 ? url : url.slice(0, query);
  return path === '/log' || path === '/log/';
}

/**
 * Gives `/log` handlers their body as the raw text, whatever the Content-Type (form, text/plain, none): the
 * urlencoded parser would merge repeated keys and lose the grouping of the batch. Bodies over `bodyLimit`
 * bytes are refused with 413 while being read. Other routes are untouched.
 */
export function readLogBodiesAsText(fastify: FastifyInstance, bodyLimit: number): void {
  // A callback hook, not an async one: it runs on every request, and a promise per request costs a microtask.
  fastify.addHook('onRequest', (request, _reply, done) => {
    if (isLogPath(request.url)) request.headers['content-type'] = LOG_BODY_TYPE;
    done();
  });
  fastify.addContentTypeParser(LOG_BODY_TYPE, { parseAs: 'string', bodyLimit }, (_request, body, done) =>
    done(null, body),
  );
}
