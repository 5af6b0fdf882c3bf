import { messageOf } from './errors';

/** A source of terminal lines that is read on a timer (the serial log); the push socket appends instead. */
export interface LineFeed {
  read(): Promise<string[]>;
}

const MAX_LINES = 2000;
const READ_INTERVAL_MS = 700;

/** The terminal's scrollback: lines pushed by the socket, or read from a feed while no socket delivers them. */
export class TerminalStore {
  lines = $state<string[]>([]);
  error = $state<string | null>(null);
  private timer: ReturnType<typeof setTimeout> | undefined;
  private feed: LineFeed | undefined;

  append(lines: readonly string[]): void {
    if (lines.length === 0) return;
    const next = [...this.lines, ...lines];
    this.lines = next.length > MAX_LINES ? next.slice(next.length - MAX_LINES) : next;
  }

  /** Replaces the scrollback, e.g. with the socket's `history` after a reconnect. */
  reset(lines: readonly string[]): void {
    this.lines = lines.slice(-MAX_LINES);
  }

  clear(): void {
    this.lines = [];
  }

  /** Reads `feed` on a timer until `stopPolling`. */
  poll(feed: LineFeed): void {
    this.stopPolling();
    this.feed = feed;
    void this.tick(feed);
  }

  stopPolling(): void {
    this.feed = undefined;
    clearTimeout(this.timer);
  }

  private async tick(feed: LineFeed): Promise<void> {
    try {
      const lines = await feed.read();
      if (this.feed !== feed) return;
      this.append(lines);
      this.error = null;
    } catch (error) {
      this.error = messageOf(error);
    }
    if (this.feed === feed) this.timer = setTimeout(() => void this.tick(feed), READ_INTERVAL_MS);
  }
}
