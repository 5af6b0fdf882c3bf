import type { HotendClient, JobState } from '@hotend/sdk';
import { messageOf } from './errors';

const POLL_INTERVAL_MS = 1000;

/** The print job (file, progress, times) read from `/api/job` once a second. */
export class JobStore {
  current = $state<JobState | null>(null);
  readError = $state<string | null>(null);
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running = false;

  constructor(private readonly client: HotendClient) {}

  get fileName(): string | null {
    const file = this.current?.job.file;
    return file?.display ?? file?.name ?? null;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    void this.tick();
  }

  stop(): void {
    this.running = false;
    clearTimeout(this.timer);
  }

  async refresh(): Promise<void> {
    try {
      this.current = await this.client.job.get();
      this.readError = null;
    } catch (error) {
      this.readError = messageOf(error);
    }
  }

  private async tick(): Promise<void> {
    await this.refresh();
    if (this.running) this.timer = setTimeout(() => void this.tick(), POLL_INTERVAL_MS);
  }
}
