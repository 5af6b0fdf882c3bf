import type { HotendClient } from '@hotend/sdk';
import { messageOf } from './errors';

export interface Upload {
  readonly id: number;
  readonly name: string;
  loaded: number;
  total: number;
  state: 'uploading' | 'done' | 'failed';
  error?: string;
}

/** Uploads in flight and just finished, each with its progress, for the progress bars of the Files view. */
export class UploadQueue {
  list = $state<Upload[]>([]);
  private nextId = 1;

  constructor(private readonly client: HotendClient) {}

  /** Uploads one file into `folder` ('' is the root); answers whether it was stored. */
  async upload(file: File, folder: string): Promise<boolean> {
    const entry: Upload = { id: this.nextId++, name: file.name, loaded: 0, total: file.size, state: 'uploading' };
    this.list = [...this.list, entry];
    const live = this.list.at(-1)!;
    try {
      await this.client.files.upload('local', file, folder === '' ? {} : { path: folder }, {
        onProgress: ({ loaded, total }) => {
          live.loaded = loaded;
          if (total !== undefined) live.total = total;
        },
      });
      live.loaded = live.total;
      live.state = 'done';
      setTimeout(() => this.dismiss(live.id), 4000);
      return true;
    } catch (error) {
      live.state = 'failed';
      live.error = messageOf(error);
      return false;
    }
  }

  dismiss(id: number): void {
    this.list = this.list.filter((upload) => upload.id !== id);
  }
}
