import type { HotendClient, JobState, PushCurrent, PushHistory } from '@hotend/sdk';
import { messageOf } from './errors';
import { Poller } from './poller';

const POLL_INTERVAL_MS = 1000;

/**
 * The print job (file, progress, times): from the push socket's `history`/`current` while it is live (they carry
 * what `/api/job` answers), else read from `/api/job` once a second.
 */
export class JobStore {
  current = $state<JobState | null>(null);
  readError = $state<string | null>(null);
  /** True while the push socket delivers the job (`applyPush`), so polling steps back. */
  live = false;
  private readonly poller = new Poller(POLL_INTERVAL_MS, async () => {
    if (!this.live) await this.refresh();
  });

  constructor(private readonly client: HotendClient) {}

  get fileName(): string | null {
    const file = this.current?.job.file;
    return file?.display ?? file?.name ?? null;
  }

  start(): void {
    this.poller.start();
  }

  stop(): void {
    this.poller.stop();
  }

  async refresh(): Promise<void> {
    try {
      this.current = await this.client.job.get();
      this.readError = null;
    } catch (error) {
      this.readError = messageOf(error);
    }
  }

  /** A `history` or `current` from the push socket: the job and its progress without a request. */
  applyPush(message: PushHistory | PushCurrent): void {
    const error = message.state.error;
    this.current = {
      job: message.job,
      progress: message.progress,
      state: message.state.text,
      ...(error === '' ? {} : { error }),
    };
    this.readError = null;
  }
}
