import { BadRequestException, Injectable, NotFoundException } from '@nestjs/common';
import { Readable } from 'node:stream';
import yazl from 'yazl';
import type { LogLevelName } from '../../config/config.schema.js';
import { HotendConfigService } from '../../config/config.service.js';
import { validateLevelMap } from '../../logging/log-levels.js';
import { HotendLogService } from '../../logging/log.service.js';
import { OCTOPRINT_ERRORS } from '../../common/errors/error-families.js';
import { rangedDownload } from '../../common/http/ranged-download.js';
import {
  LogFilesRepository,
  type LogFileInfo,
  type OpenedLogFile,
  problemWithLogName,
} from './log-files.repository.js';
import type {
  LogFileDto,
  LogFilesResponseDto,
  LoggingOverviewResponseDto,
  LoggingSetupResponseDto,
} from './logging.dto.js';

/** What a download answers: status, headers and the body (a stream, or nothing). */
export interface LogDownload {
  readonly status: 200 | 206 | 416;
  readonly headers: Record<string, string>;
  readonly body: Readable | string;
}

/** Largest number of files one zip may name. */
const MAX_BULK_FILES = 1000;

function contentDisposition(name: string): string {
  // A quoted ASCII fallback for old clients, and the exact name as RFC 5987 `filename*`.
  const fallback = name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

const NO_CACHE = 'no-cache, no-store, must-revalidate, max-age=0';

@Injectable()
export class LoggingPluginService {
  constructor(
    private readonly files: LogFilesRepository,
    private readonly logs: HotendLogService,
    private readonly config: HotendConfigService,
  ) {}

  async listLogs(baseUrl: string): Promise<LogFilesResponseDto> {
    const [files, usage] = await Promise.all([this.files.list(), this.files.diskUsage()]);
    return { files: files.map((file) => this.describe(file, baseUrl)), free: usage.free, total: usage.total };
  }

  async getOverview(baseUrl: string): Promise<LoggingOverviewResponseDto> {
    return {
      logs: await this.listLogs(baseUrl),
      setup: this.getSetup(),
      serial_log: { enabled: this.config.get().serial.log },
    };
  }

  getSetup(): LoggingSetupResponseDto {
    return { loggers: this.logs.loggerNames(), levels: this.logs.configuredLevels() };
  }

  getLevels(): Record<string, LogLevelName> {
    return this.logs.configuredLevels();
  }

  /** Replaces every configured level (persisted, applied at once); 400 naming each bad entry. */
  updateLevels(body: unknown): Record<string, LogLevelName> {
    const { levels, problems } = validateLevelMap(body);
    if (problems.length > 0) throw new BadRequestException(`Invalid log level configuration: ${problems.join('; ')}`);
    return this.logs.replaceLevels(levels);
  }

  async deleteLog(name: string): Promise<void> {
    this.checkName(name);
    if (!(await this.files.delete(name))) throw this.notFound(name);
  }

  /** A log file as `text/plain`, whole or one `Range`, read from an open descriptor in constant memory. */
  async openDownload(name: string, rangeHeader: string | undefined, headOnly = false): Promise<LogDownload> {
    this.checkName(name);
    const file = await this.files.open(name);
    if (file === undefined) throw this.notFound(name);
    const download = await rangedDownload(file, rangeHeader, headOnly);
    const headers = {
      'content-type': 'text/plain; charset=utf-8',
      'content-disposition': contentDisposition(name),
      'cache-control': NO_CACHE,
      'last-modified': new Date(file.modified * 1000).toUTCString(),
      ...download.headers,
    };
    if (download.status === 416) {
      // An error like any other: OctoPrint's `{"error": ...}`, with the size in Content-Range as RFC 9110 asks.
      const error = OCTOPRINT_ERRORS.format(416, `range: "${rangeHeader}" lies outside the ${file.size}-byte file`);
      return {
        status: 416,
        headers: { ...download.headers, 'cache-control': NO_CACHE, 'content-type': error.contentType },
        body: error.body,
      };
    }
    return { status: download.status, headers, body: download.body };
  }

  /**
   * Several log files as one zip, streamed. Like OctoPrint, names that are not log files are skipped, and
   * 400 when none is left.
   */
  async openBulkDownload(names: readonly string[]): Promise<LogDownload> {
    const unique = [...new Set(names)];
    if (unique.length > MAX_BULK_FILES) throw new BadRequestException(`At most ${MAX_BULK_FILES} files per zip`);
    const opened: OpenedLogFile[] = [];
    for (const name of unique) {
      const file = await this.files.open(name);
      if (file !== undefined) opened.push(file);
    }
    if (opened.length === 0) throw new BadRequestException('None of the given files is a log file');
    const zip = new yazl.ZipFile();
    const reading = new Set<Readable>();
    for (const file of opened) {
      const mtime = new Date(file.modified * 1000);
      if (file.size === 0) {
        await file.close();
        zip.addBuffer(Buffer.alloc(0), file.name, { mtime });
        continue;
      }
      // Streams are made when yazl reaches the entry, so only one file is read at a time.
      zip.addReadStreamLazy(file.name, { mtime, size: file.size }, (callback) => {
        const stream = file.read(0, file.size - 1);
        reading.add(stream);
        stream.once('close', () => reading.delete(stream));
        callback(null, stream);
      });
    }
    zip.end();
    const output = zip.outputStream as Readable;
    // A client that goes away early leaves entries unread: close their descriptors.
    output.once('close', () => {
      for (const stream of reading) stream.destroy();
      for (const file of opened) void file.close();
    });
    return {
      status: 200,
      headers: {
        'content-type': 'application/zip',
        'content-disposition': contentDisposition('hotend-logs.zip'),
        'cache-control': NO_CACHE,
      },
      body: output,
    };
  }

  private describe(file: LogFileInfo, baseUrl: string): LogFileDto {
    const encoded = encodeURIComponent(file.name);
    return {
      name: file.name,
      size: file.size,
      date: file.modified,
      refs: {
        resource: `${baseUrl}/plugin/logging/logs/${encoded}`,
        download: `${baseUrl}/downloads/logs/${encoded}`,
      },
    };
  }

  private checkName(name: string): void {
    const problem = problemWithLogName(name);
    if (problem !== undefined) throw new BadRequestException(`Not a log file name: ${problem}`);
  }

  private notFound(name: string): NotFoundException {
    return new NotFoundException(`There is no log file named ${JSON.stringify(name)}`);
  }
}
