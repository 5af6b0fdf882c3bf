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

/** Strings up to this long are read byte by byte; longer ones are skipped to their end with indexOf. */
const SHORT_STRING = 64;

/**
 * Where the string whose content starts at `from` ends: the index of its closing quote, or the body's length when
 * it never ends. A long string costs one indexOf (memchr) instead of a JavaScript step per byte: a 900 KB string
 * value took 5 ms byte by byte. A quote after an odd run of backslashes is escaped; the search then goes on byte by
 * byte, so a body made of escaped quotes costs no more than the byte loop.
 */
function closingQuote(bytes: Buffer, from: number): number {
  let index = from;
  for (;;) {
    const stop = Math.min(index + SHORT_STRING, bytes.length);
    for (; index < stop; index += 1) {
      const code = bytes[index];
      if (code === BACKSLASH) index += 1;
      else if (code === QUOTE) return index;
    }
    if (index >= bytes.length) return bytes.length;
    const quote = bytes.indexOf(QUOTE, index);
    if (quote === -1) return bytes.length;
    let backslashes = 0;
    while (bytes[quote - 1 - backslashes] === BACKSLASH) backslashes += 1;
    if (backslashes % 2 === 0) return quote;
    index = quote + 1;
  }
}

/**
 * Why the JSON body is refused before it is parsed, or undefined. One pass over the bytes: parsing is cheap, but
 * what follows is not: class-transformer recurses once per level (2,000 nested arrays overflow the stack) and
 * validating tens of thousands of keys holds the event loop for seconds. The bytes, not the decoded text: every
 * character looked for is ASCII and no byte of a multi-byte UTF-8 character is, so a refused body is never decoded.
 * Malformed text passes here and fails in JSON.parse, which names the problem.
 */
export function jsonShapeProblem(body: Buffer | string): string | undefined {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  let depth = 0;
  let keys = 0;
  for (let index = 0; index < bytes.length; index += 1) {
    const code = bytes[index];
    if (code === QUOTE) {
      index = closingQuote(bytes, index + 1);
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
  // Read as bytes: the shape check needs no text, and the parser decodes only a body it accepts.
  fastify.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit }, (request, body, done) => {
    const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
    const problem = jsonShapeProblem(bytes);
    if (problem !== undefined) {
      done(new BadRequestException(problem), undefined);
      return;
    }
    parse(request, bytes.toString('utf8'), done);
  });
  // No route takes form bodies, but clients (axios) label an empty POST as a form: read it, and hand on nothing.
  fastify.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit }, (_r, _b, done) =>
    done(null, undefined),
  );
}
