import { messageOf } from './errors';

export interface Notice {
  readonly id: number;
  readonly kind: 'error' | 'success';
  readonly text: string;
}

const SHOWN_FOR_MS = 6000;

/** Short messages in a corner: a failed command says why, a finished one says so. */
class Notices {
  list = $state<Notice[]>([]);
  private nextId = 1;

  show(kind: Notice['kind'], text: string): void {
    const id = this.nextId++;
    this.list = [...this.list, { id, kind, text }];
    setTimeout(() => this.dismiss(id), SHOWN_FOR_MS);
  }

  dismiss(id: number): void {
    this.list = this.list.filter((notice) => notice.id !== id);
  }

  /** Runs a command; a failure becomes an error notice naming what was tried. Answers whether it worked. */
  async run(what: string, action: () => Promise<unknown>, success?: string): Promise<boolean> {
    try {
      await action();
      if (success !== undefined) this.show('success', success);
      return true;
    } catch (error) {
      this.show('error', `${what}: ${messageOf(error)}`);
      return false;
    }
  }
}

export const notices = new Notices();
