import type { Http } from './http.js';
import type { JobState } from './types.js';

/** `/api/job`: OctoPrint's `OctoPrint.job` (spec §6). Commands answer once accepted; states change after. */
export class JobApi {
  constructor(private readonly http: Http) {}

  /** The selected file, the progress of its print (completion in percent) and the printer state. */
  async get(): Promise<JobState> {
    return this.http.get('/api/job');
  }

  /** Sends `{command, ...payload}` to POST /api/job. */
  async issueCommand(command: string, payload: Record<string, unknown> = {}): Promise<void> {
    await this.http.raw('post', '/api/job', {
      body: JSON.stringify({ ...payload, command }),
      headers: { 'content-type': 'application/json' },
    });
  }

  async start(): Promise<void> {
    await this.issueCommand('start');
  }

  /** Starts the paused print again from the beginning. */
  async restart(): Promise<void> {
    await this.issueCommand('restart');
  }

  async pause(): Promise<void> {
    await this.issueCommand('pause', { action: 'pause' });
  }

  async resume(): Promise<void> {
    await this.issueCommand('pause', { action: 'resume' });
  }

  async togglePause(): Promise<void> {
    await this.issueCommand('pause', { action: 'toggle' });
  }

  async cancel(): Promise<void> {
    await this.issueCommand('cancel');
  }
}
