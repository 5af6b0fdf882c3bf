/**
 * Runs `read` now and then every `intervalMs` after the previous read finished (never two at once), between
 * `start` and `stop`: the polling the page's stores fall back on while no push socket delivers their data.
 */
export class Poller {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running = false;

  constructor(
    private readonly intervalMs: number,
    private readonly read: () => Promise<void>,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    void this.tick();
  }

  stop(): void {
    this.running = false;
    clearTimeout(this.timer);
  }

  private async tick(): Promise<void> {
    await this.read();
    if (this.running) this.timer = setTimeout(() => void this.tick(), this.intervalMs);
  }
}
