import type { HotendClient } from '@hotend/sdk';
import { statusOf } from './errors';

/** `2026-11-20 14:03:12,345 - Send: N1 M110 N0*125` → `Send: N1 M110 N0*125`. */
export function stripLogPrefix(line: string): string {
  const match = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} - (.*)$/.exec(line);
  return match?.[1] ?? line;
}

/** What the first read shows of a serial.log that already exists. */
const BACKLOG_BYTES = 32 * 1024;
const SERIAL_LOG = 'serial.log';

/**
 * The printer conversation read from `logs/serial.log` through the logging API: the file's size from the
 * listing, then only the new bytes with a `Range` read. A file that shrank was rolled over (a new
 * connection) and is read again from its start. Needs PLUGIN_LOGGING_MANAGE and `serial.log: true`.
 */
export class SerialLogFeed {
  private offset: number | null = null;
  private partial = '';
  private readonly encoder = new TextEncoder();

  constructor(private readonly client: HotendClient) {}

  /** New complete lines since the last call (the first call returns the end of the file). */
  async read(): Promise<string[]> {
    const { files } = await this.client.plugins.logging.listLogs();
    const size = files.find((file) => file.name === SERIAL_LOG)?.size ?? 0;
    let skipFirst = false;
    if (this.offset === null) {
      this.offset = Math.max(0, size - BACKLOG_BYTES);
      skipFirst = this.offset > 0;
    } else if (size < this.offset) {
      this.offset = 0;
      this.partial = '';
    }
    if (size <= this.offset) return [];
    let text: string;
    try {
      // Without `stream` the answer is text; the SDK's overloads only narrow that for calls without options.
      const body = await this.client.plugins.logging.downloadLog(SERIAL_LOG, {
        range: { start: this.offset, end: size - 1 },
      });
      text = typeof body === 'string' ? body : '';
    } catch (error) {
      if (statusOf(error) === 416) return [];
      throw error;
    }
    this.offset += this.encoder.encode(text).length;
    const lines = (this.partial + text).split('\n');
    this.partial = lines.pop() ?? '';
    if (skipFirst) lines.shift();
    return lines.filter((line) => line !== '').map(stripLogPrefix);
  }
}
