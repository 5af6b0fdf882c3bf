import { BadRequestException, HttpException, HttpStatus } from '@nestjs/common';

/**
 * How many command lines sent through the printer API may wait for the printer at once
 * (`serial.commandQueueLimit`). A line counts from the moment it is queued until the firmware acknowledged it (or
 * the connection dropped it), so a flood of requests cannot grow the queue, and the server's memory, without end.
 */
export class CommandQueueBudget {
  private queued = 0;

  constructor(private readonly limit: () => number) {}

  /** Lines waiting now. */
  get queuedLines(): number {
    return this.queued;
  }

  /**
   * Takes room for `count` lines and returns the function that gives it back. 400 when `count` alone exceeds the
   * limit (it could never be queued), 429 while the queue is too full to take them.
   */
  reserve(count: number): () => void {
    const limit = this.limit();
    if (count > limit) {
      throw new BadRequestException(
        `${count} lines are more than the command queue holds (serial.commandQueueLimit is ${limit}); send fewer at once`,
      );
    }
    if (this.queued + count > limit) {
      throw new HttpException(
        `The command queue is full: ${this.queued} of ${limit} lines are still waiting for the printer; try again once it has worked through them`,
        HttpStatus.TOO_MANY_REQUESTS,
      );
    }
    this.queued += count;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.queued -= count;
    };
  }
}
