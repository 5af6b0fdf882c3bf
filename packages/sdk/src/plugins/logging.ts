import { type DownloadOptions, rangeHeader } from '../byte-range.js';
import type { Http } from '../http.js';
import type { LogFiles, LoggerLevels, LoggingOverview, LoggingSetup } from '../types.js';

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

  /** A log file's text, or one byte range of it (`{ range: { start: 0, end: 1023 } }`). */
  async downloadLog(name: string, options: DownloadOptions = {}): Promise<string> {
    return (await this.downloadResponse(name, options)).text();
  }

  /** A log file as a web stream of bytes, for large files (`@hotend/sdk/node` gives a Node stream). */
  async downloadLogStream(name: string, options: DownloadOptions = {}): Promise<ReadableStream<Uint8Array>> {
    const response = await this.downloadResponse(name, options);
    return response.body ?? new Blob([]).stream();
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

  private downloadResponse(name: string, { range, ...call }: DownloadOptions): Promise<Response> {
    return this.http.raw('get', '/downloads/logs/{filename}', {
      pathParams: { filename: name },
      headers: range === undefined ? {} : { range: rangeHeader(range) },
      ...call,
    });
  }
}

/** Plugin components, as OctoPrint's `OctoPrint.plugins`. */
export class PluginsApi {
  readonly logging: LoggingPluginApi;

  constructor(http: Http) {
    this.logging = new LoggingPluginApi(http);
  }
}
