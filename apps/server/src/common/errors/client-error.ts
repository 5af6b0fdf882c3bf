import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { closeWithoutReading, hasFinalAnswer } from '../http/unread-body.js';
import { errorFamilyFor } from './error-families.js';

/** Node's HTTP server keeps the response in progress on the socket; a second answer must not cut into it. */
type SocketWithResponse = Socket & { _httpMessage?: unknown };

/** What Node's HTTP parser hands to `clientError`: `rawPacket` is the chunk it was reading when it failed, if any. */
type ClientError = Error & { code?: string; rawPacket?: unknown };

function statusFor(error: ClientError): { status: number; message: string } {
  switch (error.code) {
    case 'HPE_HEADER_OVERFLOW':
      return { status: 431, message: 'Request headers are larger than the server accepts' };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { status: 408, message: 'The request did not arrive in time' };
    default:
      return { status: 400, message: 'Malformed HTTP request' };
  }
}

/** The request's path, when the failed chunk starts with its request line (it does when headers come in one write). */
function requestPathOf(packet: unknown): string {
  const line = Buffer.isBuffer(packet) ? packet.subarray(0, 8192).toString('latin1') : '';
  return /^[A-Z]+ (\/\S*) HTTP\/1\.[01]\r?\n/.exec(line)?.[1] ?? '/';
}

/**
 * Fastify's `clientErrorHandler`: errors Node's HTTP parser raises before there is a request (headers too large,
 * a timeout, bytes that are not HTTP) are answered in the envelope of the family the path belongs to, like every
 * other error, then the connection is closed without reading more.
 */
export function answerClientError(error: ClientError, socket: Socket): void {
  if (error.code === 'ECONNRESET' || error.code === 'EPIPE' || !socket.writable) {
    socket.destroy();
    return;
  }
  // The connection already got its answer: the error is about bytes nobody will read.
  if (hasFinalAnswer(socket)) return;
  // A request is still being handled: its body broke off mid-way; as Node does, end the connection so the handler
  // sees the abort (an answer cannot be squeezed in before its own).
  if ((socket as SocketWithResponse)._httpMessage != null) {
    socket.destroy();
    return;
  }
  const { status, message } = statusFor(error);
  const reply = errorFamilyFor(requestPathOf(error.rawPacket)).format(status, message);
  socket.write(
    `HTTP/1.1 ${reply.status} ${STATUS_CODES[reply.status] ?? ''}\r\nContent-Type: ${reply.contentType}\r\n` +
      `Content-Length: ${Buffer.byteLength(reply.body)}\r\nConnection: close\r\n\r\n${reply.body}`,
  );
  closeWithoutReading(socket);
}
