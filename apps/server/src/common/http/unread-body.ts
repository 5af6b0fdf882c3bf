import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';

/** How long a refused upload's connection stays half-closed, so the client reads the answer before the reset. */
export const UNREAD_BODY_LINGER_MS = 2000;

/** `net.Socket#destroySoon`: what Node's HTTP server calls after the last response on a closing connection. */
type ClosingSocket = Socket & { destroySoon(): void };

/** Connections whose last answer has gone out (or is going out) with `Connection: close`. */
const answeredSockets = new WeakSet<Socket>();

/**
 * Whether the connection already has its final answer: the bytes of the unread body that still reach Node's HTTP
 * parser may make it report an error, which must not be answered a second time on the same connection.
 */
export function hasFinalAnswer(socket: Socket): boolean {
  return answeredSockets.has(socket);
}

/**
 * Closes a connection without reading further: stop reading (the client's writes stall instead of being read and
 * thrown away), send FIN after the answer, and destroy the socket only after a grace period. Destroying at once
 * with unread bytes in the kernel would send a reset, and a client still sending would lose the answer with it.
 */
export function closeWithoutReading(socket: Socket): void {
  socket.pause();
  socket.end();
  const timer = setTimeout(() => socket.destroy(), UNREAD_BODY_LINGER_MS);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
}

/**
 * An answer that goes out before the request's body was read to its end (a refusal before the handler touched the
 * body, a 413 in the middle of it) closes the connection: without this Node reads and discards the rest of the
 * body, which may be gigabytes, to keep the connection alive.
 */
export function closeConnectionsWithUnreadBodies(fastify: FastifyInstance): void {
  // A callback hook, not an async one: it runs on every request, and a promise per request costs a microtask.
  fastify.addHook('onSend', (request, reply, payload, done) => {
    if (!request.raw.complete) {
      void reply.header('connection', 'close');
      answeredSockets.add(request.raw.socket);
      // Node calls destroySoon() once the answer is written; from then on, nothing more is read.
      (request.raw.socket as ClosingSocket).destroySoon = () => closeWithoutReading(request.raw.socket);
    }
    done(null, payload);
  });
}
