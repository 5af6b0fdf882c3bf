import type { Readable } from 'node:stream';
import type { Http } from '../http.js';
import type { LogFiles, LoggerLevels, LoggingOverview, LoggingSetup } from '../types.js';

export interface DownloadLogOptions {
  /** Resolve to a Node stream instead of the whole text (for large files). */
  stream?: boolean;
  /** One byte range, e.g. `{ start: 0, end: 1023 }` (inclusive); the server answers 206 with those bytes. */
  range?: { start: number; end?: number };
}

/** OctoPrint's `OctoPrint.plugins.logging` (needs PLUGIN_LOGGING_MANAGE): Hotend's log files and levels. */
export class LoggingPluginApi {
  constructor(private readonly http: Http) {}

  /** Log files, logger setup and the serial.log switch in one call (OctoPrint's `get`). */
  get(): Promise<LoggingOverview> {
    return this.http.get('/plugin/logging');
  }

  /** The log files (rotated ones included) and the free/total bytes where they live. */
  listLogs(): Promise<LogFiles> {
    return this.http.get('/plugin/logging/logs');
  }

  /** Deletes a log file (404 when there is none); an active log starts a fresh file. */
  async deleteLog(name: string): Promise<void> {
    await this.http.delete('/plugin/logging/logs/{filename}', { path: { filename: name } });
  }

  /** A log file's text, or with `{ stream: true }` a Node stream of it. */
  downloadLog(name: string): Promise<string>;
  downloadLog(name: string, options: DownloadLogOptions & { stream: true }): Promise<Readable>;
  downloadLog(name: string, options: DownloadLogOptions): Promise<string | Readable>;
  async downloadLog(name: string, options: DownloadLogOptions = {}): Promise<string | Readable> {
    const headers: Record<string, string> = {};
    if (options.range !== undefined) headers['range'] = `bytes=${options.range.start}-${options.range.end ?? ''}`;
    const response = await this.http.raw('get', '/downloads/logs/{filename}', {
      pathParams: { filename: name },
      headers,
      responseType: options.stream === true ? 'stream' : 'text',
      transformResponse: (data: unknown) => data,
    });
    return response.data as string | Readable;
  }

  /** The URL of a zip holding the named files (for a browser link; the API key is not part of it). */
  bulkDownloadUrl(names: readonly string[]): string {
    return this.http.url(
      '/downloads/logs',
      undefined,
      names.map((name) => `files=${encodeURIComponent(name)}`).join('&'),
    );
  }

  /** Every logger name and the configured levels. */
  getSetup(): Promise<LoggingSetup> {
    return this.http.get('/plugin/logging/setup');
  }

  /** The configured levels. */
  getLevels(): Promise<LoggerLevels> {
    return this.http.get('/plugin/logging/setup/levels');
  }

  /** Replaces all configured levels (saved and applied at once); resolves to the new map. */
  updateLevels(levels: LoggerLevels): Promise<LoggerLevels> {
    return this.http.put('/plugin/logging/setup/levels', levels);
  }
}

/** Plugin components, as OctoPrint's `OctoPrint.plugins`. */
export class PluginsApi {
  readonly logging: LoggingPluginApi;

  constructor(http: Http) {
    this.logging = new LoggingPluginApi(http);
  }
}
