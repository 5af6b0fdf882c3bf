import { messageOf } from './errors';

/** Where terminal lines come from: the push socket when the server has one, the serial log otherwise. */
export interface LineFeed {
  read(): Promise<string[]>;
}

const MAX_LINES = 2000;
const READ_INTERVAL_MS = 700;

/** The terminal's scrollback, filled from a feed while the terminal is open. */
export class TerminalStore {
  lines = $state<string[]>([]);
  error = $state<string | null>(null);
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running = false;

  constructor(private readonly feed: LineFeed) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    void this.tick();
  }

  stop(): void {
    this.running = false;
    clearTimeout(this.timer);
  }

  append(lines: readonly string[]): void {
    if (lines.length === 0) return;
    const next = [...this.lines, ...lines];
    this.lines = next.length > MAX_LINES ? next.slice(next.length - MAX_LINES) : next;
  }

  clear(): void {
    this.lines = [];
  }

  private async tick(): Promise<void> {
    try {
      this.append(await this.feed.read());
      this.error = null;
    } catch (error) {
      this.error = messageOf(error);
    }
    if (this.running) this.timer = setTimeout(() => void this.tick(), READ_INTERVAL_MS);
  }
}
