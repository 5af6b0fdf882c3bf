// Streams G-code into a running server's comm layer at full rate for the benches that measure something while the
// printer is busy (HTTP latency, push subscribers).
import type { PrinterCommApi } from '../apps/server/dist/comm/printer-comm.types.js';

export interface CommStreamerOptions {
  /** Concurrent `send` loops, each with one chunk queued, so the comm queue never runs dry. */
  lanes: number;
  /** Lines per `send` call. */
  chunk: number;
  /** The next line to send. */
  nextLine: () => string;
}

/** Keeps `lanes` chunks of `chunk` lines queued on the comm layer until stopped; counts acknowledged lines. */
export class CommStreamer {
  acknowledged = 0;
  private running = true;
  private failure: unknown;
  private readonly done: Promise<void>;

  constructor(
    private readonly comm: Pick<PrinterCommApi, 'send'>,
    private readonly options: CommStreamerOptions,
  ) {
    this.done = Promise.all(Array.from({ length: options.lanes }, () => this.lane())).then(() => undefined);
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.done;
    if (this.failure !== undefined) throw this.failure;
  }

  /**
   * Lines acknowledged per second while `during` runs (from the moment it calls `start`, if it does), and how many.
   */
  async rateDuring<T>(
    during: (start: () => void) => Promise<T>,
  ): Promise<{ result: T; linesPerSecond: number; lines: number }> {
    let before = this.acknowledged;
    let started = performance.now();
    const result = await during(() => {
      before = this.acknowledged;
      started = performance.now();
    });
    const lines = this.acknowledged - before;
    return { result, linesPerSecond: (lines * 1000) / (performance.now() - started), lines };
  }

  private async lane(): Promise<void> {
    const { chunk, nextLine } = this.options;
    try {
      while (this.running) {
        await this.comm.send(Array.from({ length: chunk }, nextLine));
        this.acknowledged += chunk;
      }
    } catch (error) {
      this.failure ??= error;
      this.running = false;
    }
  }
}
