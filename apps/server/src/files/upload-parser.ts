import multipart from '@fastify/multipart';
import type { FastifyInstance } from 'fastify';

/** The body type of the upload route (`@RouteBody`): multipart, parsed by the handler as a stream. */
export const UPLOAD_BODY_TYPE = 'multipart/form-data';

/**
 * Multipart parsing for uploads. Bodies are not parsed up front: the upload handler reads the parts as a stream
 * (`request.parts()`), so a file goes to disk as it arrives and is never held in memory.
 */
export function registerFileUploads(fastify: FastifyInstance): void {
  // An oversized file is cut short and flagged (`truncated`), so the handler answers 413 after cleaning up.
  void fastify.register(multipart, { throwFileSizeLimit: false });
}
