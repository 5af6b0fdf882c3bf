import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyReply } from 'fastify';

/** Registers work to run once the response has been sent (or the client has gone away). */
export type AfterResponse = (work: () => void) => void;

/**
 * Gives a handler a way to act only after its answer is out, e.g. to restart Hotend: the caller still gets its
 * 204 before the process goes down.
 */
export const AfterResponse = createParamDecorator((_: unknown, ctx: ExecutionContext): AfterResponse => {
  const raw = ctx.switchToHttp().getResponse<FastifyReply>().raw;
  return (work) => {
    if (raw.destroyed || raw.writableFinished) setImmediate(work);
    else raw.once('close', work);
  };
});
