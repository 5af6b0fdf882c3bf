import type { HotendClient } from '@hotend/sdk';
import { messageOf } from './errors';

export interface Upload {
  readonly id: number;
  readonly name: string;
  loaded: number;
  total: number;
  state: 'uploading' | 'done' | 'failed' | 'cancelled';
  error?: string;
}

/** How long a finished or cancelled upload stays in the list. */
const LINGER_MS = 4000;

/** Uploads in flight and just finished, each with its progress, for the progress bars of the Files view. */
export class UploadQueue {
  list = $state<Upload[]>([]);
  private nextId = 1;
  // Not state: nothing on the page reads it.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  private readonly aborts = new Map<number, AbortController>();

  constructor(private readonly client: HotendClient) {}

  /** Uploads one file into `folder` ('' is the root); answers whether it was stored. */
  async upload(file: File, folder: string): Promise<boolean> {
    const entry: Upload = { id: this.nextId++, name: file.name, loaded: 0, total: file.size, state: 'uploading' };
    this.list = [...this.list, entry];
    const live = this.list.at(-1)!;
    const abort = new AbortController();
    this.aborts.set(live.id, abort);
    try {
      await this.client.files.upload('local', file, folder === '' ? {} : { path: folder }, {
        signal: abort.signal,
        onProgress: ({ loaded, total }) => {
          live.loaded = loaded;
          if (total !== undefined) live.total = total;
        },
      });
      live.loaded = live.total;
      live.state = 'done';
      setTimeout(() => this.dismiss(live.id), LINGER_MS);
      return true;
    } catch (error) {
      if (abort.signal.aborted) {
        live.state = 'cancelled';
        setTimeout(() => this.dismiss(live.id), LINGER_MS);
      } else {
        live.state = 'failed';
        live.error = messageOf(error);
      }
      return false;
    } finally {
      this.aborts.delete(live.id);
    }
  }

  /** Stops an upload in flight; the server keeps nothing of it. */
  cancel(id: number): void {
    this.aborts.get(id)?.abort();
  }

  dismiss(id: number): void {
    this.list = this.list.filter((upload) => upload.id !== id);
  }
}
