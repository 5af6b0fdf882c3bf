import type { Http } from './http.js';

/** Plex levels: 0 error, 1 warn, 2 info, 3 debug, 4 verbose. */
export type LogLevelNumber = 0 | 1 | 2 | 3 | 4;

export interface LogMessage {
  level: LogLevelNumber;
  message: string;
  /** Who writes it, e.g. the application's name. */
  source: string;
}

function encodeMessage(entry: LogMessage): string {
  return `level=${entry.level}&message=${encodeURIComponent(entry.message)}&source=${encodeURIComponent(entry.source)}`;
}

/** Plex's `/log` (needs LOG_WRITE): write into Hotend's own log. */
export class LogApi {
  constructor(private readonly http: Http) {}

  /** Writes all messages in one request (one line each); either all are written or none (400). */
  async write(messages: readonly LogMessage[]): Promise<void> {
    await this.http.raw('post', '/log', {
      body: messages.map(encodeMessage).join('\n'),
      headers: { 'content-type': 'text/plain; charset=utf-8' },
    });
  }

  /** Writes one message (as query parameters of a PUT, Plex's preferred verb). */
  async writeOne(message: LogMessage): Promise<void> {
    await this.http.raw('put', '/log', {
      query: { level: message.level, message: message.message, source: message.source },
    });
  }
}
