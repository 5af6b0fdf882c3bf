import { BadRequestException, Injectable } from '@nestjs/common';
import type { Level } from 'pino';
import { HotendLogService } from '../logging/log.service.js';
import { LogBatchError, type LogEntry, parseLogParameters } from './log-batch.parser.js';

/** The logger client messages are written with; its level filters them like any other. */
export const CLIENT_LOGGER = 'hotend.client';

const PINO_LEVEL_BY_PLEX_LEVEL: readonly Level[] = ['error', 'warn', 'info', 'debug', 'trace'];

/** Writes messages sent to `/log` into hotend.log, as `[<source>] <message>` from logger `hotend.client`. */
@Injectable()
export class LogIngestService {
  constructor(private readonly logs: HotendLogService) {}

  /** One message from a query string; 400 when it is not exactly one complete message. */
  async writeOne(query: string): Promise<void> {
    const entries = this.parse(query);
    if (entries.length !== 1) {
      throw new BadRequestException(`expected one message, got ${entries.length}; send several with POST`);
    }
    await this.write(entries);
  }

  /** Every message in a batch body, or none (400) when any of them is incomplete or malformed. */
  async writeBatch(body: unknown): Promise<void> {
    const text = typeof body === 'string' ? body : Buffer.isBuffer(body) ? body.toString('utf8') : '';
    await this.write(this.parse(text));
  }

  private parse(text: string): LogEntry[] {
    try {
      return parseLogParameters(text);
    } catch (error) {
      if (error instanceof LogBatchError) throw new BadRequestException(error.message);
      throw error;
    }
  }

  private async write(entries: readonly LogEntry[]): Promise<void> {
    this.logs.writeMessages(
      CLIENT_LOGGER,
      entries.map((entry) => ({
        level: PINO_LEVEL_BY_PLEX_LEVEL[entry.level] ?? 'info',
        text: `[${entry.source}] ${entry.message}`,
      })),
    );
    // The 200 promises the lines are in the file, not only in a buffer.
    await this.logs.flush();
  }
}
