import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { errorFamilyFor } from './error-families.js';

interface FastifyLikeError {
  statusCode?: number;
  code?: string;
  message?: string;
}

const GENERIC_500 = 'The server encountered an internal error and was unable to complete your request.';

/** Status and a message that is safe to show: never a stack trace, and no internals for a 500. */
export function describeError(error: unknown): { status: number; message: string } {
  if (error instanceof HttpException) {
    const response = error.getResponse();
    const raw = typeof response === 'string' ? response : (response as { message?: unknown }).message;
    const message = Array.isArray(raw) ? raw.join('; ') : typeof raw === 'string' ? raw : error.message;
    return { status: error.getStatus(), message };
  }
  const fastifyError = error as FastifyLikeError | undefined;
  const status = fastifyError?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    switch (fastifyError?.code) {
      case 'FST_ERR_CTP_INVALID_JSON_BODY':
      case 'FST_ERR_CTP_EMPTY_JSON_BODY':
        return { status: 400, message: `Malformed JSON body in request: ${fastifyError.message ?? ''}`.trim() };
      case 'FST_ERR_CTP_BODY_TOO_LARGE':
        return { status: 413, message: 'Request body is larger than the server accepts' };
      case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
        return { status: 415, message: 'Unsupported Content-Type for this endpoint' };
      case 'FST_ERR_MAX_PARAM_LENGTH':
        return { status: 414, message: 'A path parameter is longer than the server accepts' };
      case 'FST_ERR_BAD_URL':
        return { status: 400, message: 'Malformed URL: a percent-escape in the path is not valid' };
      default:
        return { status, message: fastifyError?.message ?? 'Bad request' };
    }
  }
  if (error instanceof SyntaxError) return { status: 400, message: `Malformed JSON body in request: ${error.message}` };
  return { status: 500, message: GENERIC_500 };
}

const logger = new Logger('hotend.http');

export function sendError(request: FastifyRequest, reply: FastifyReply, error: unknown): void {
  const { status, message } = describeError(error);
  // A 500 the code chose (an HttpException, e.g. a failed system command) is an answer, not a crash.
  if (status >= 500 && !(error instanceof HttpException)) {
    logger.error(`${request.method} ${request.url} failed: ${(error as Error)?.stack ?? String(error)}`);
  }
  const formatted = errorFamilyFor(request.url).format(status, message);
  void reply.status(formatted.status).header('content-type', formatted.contentType).send(formatted.body);
}

/** The one exception filter: every error, from every layer, goes out in its API family's format. */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    sendError(http.getRequest<FastifyRequest>(), http.getResponse<FastifyReply>(), error);
  }
}
