import { BadRequestException } from '@nestjs/common';
import type { FastifyInstance } from 'fastify';

/** Deepest nesting of objects and arrays a JSON body may have; Hotend's own bodies stay within 4. */
export const MAX_JSON_DEPTH = 32;
/** Most object keys a JSON body may hold in all; no Hotend body needs more than a few dozen. */
export const MAX_JSON_KEYS = 1000;

const OPEN_OBJECT = 0x7b;
const OPEN_ARRAY = 0x5b;
const CLOSE_OBJECT = 0x7d;
const CLOSE_ARRAY = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;

/**
 * Why the JSON text is refused before it is parsed, or undefined. One pass over the characters: parsing is cheap,
 * but what follows is not: class-transformer recurses once per level (2,000 nested arrays overflow the stack) and
 * validating tens of thousands of keys holds the event loop for seconds. Malformed text passes here and fails in
 * JSON.parse, which names the problem.
 */
export function jsonShapeProblem(text: string): string | undefined {
  let depth = 0;
  let keys = 0;
  let inString = false;
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (inString) {
      if (code === BACKSLASH) index += 1;
      else if (code === QUOTE) inString = false;
    } else if (code === QUOTE) {
      inString = true;
    } else if (code === OPEN_OBJECT || code === OPEN_ARRAY) {
      depth += 1;
      if (depth > MAX_JSON_DEPTH) return `JSON body is nested deeper than ${MAX_JSON_DEPTH} levels`;
    } else if (code === CLOSE_OBJECT || code === CLOSE_ARRAY) {
      depth -= 1;
    } else if (code === COLON) {
      keys += 1;
      if (keys > MAX_JSON_KEYS) return `JSON body has more than ${MAX_JSON_KEYS} keys`;
    }
  }
  return undefined;
}

/**
 * The parser for `application/json` bodies: Fastify's own (which also refuses `__proto__` and `constructor`
 * poisoning), after the shape check above. Replaces Fastify's and Nest's default body parsers.
 */
export function parseJsonBodiesWithLimits(fastify: FastifyInstance, bodyLimit: number): void {
  const parse = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    const problem = jsonShapeProblem(text);
    if (problem !== undefined) {
      done(new BadRequestException(problem), undefined);
      return;
    }
    parse(request, text, done);
  });
  // No route takes form bodies, but clients (axios) label an empty POST as a form: read it, and hand on nothing.
  fastify.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit }, (_r, _b, done) =>
    done(null, undefined),
  );
}
