import {
  BadRequestException,
  Inject,
  Injectable,
  Logger,
  NotFoundException,
  type OnModuleDestroy,
  type OnModuleInit,
  PayloadTooLargeException,
  HttpException,
  HttpStatus,
} from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { HotendConfigService } from '../config/config.service.js';
import type { IncomingBuildLog } from './build-log-body.js';
import { BuildLogContentStore, ContentAbortedError, ContentTooLargeError } from './build-log-content.store.js';
import { rangedDownload } from '../common/http/ranged-download.js';
import { parseExitCodes } from './build-log-params.js';
import {
  BUILD_LOG_REPOSITORY,
  type BuildLogRecord,
  type BuildLogRepository,
  type ExitCodeFilter,
} from './build-log.repository.js';
import type {
  BuildLogDto,
  BuildLogListResponseDto,
  BuildLogResponseDto,
  ListBuildLogsQueryDto,
  PublishBuildLogQueryDto,
  PublishBuildLogResponseDto,
} from './build-logs.dto.js';

export const DEFAULT_LIST_LIMIT = 25;
const DAY_MS = 24 * 60 * 60 * 1000;
/** Retention removes in pages, so a large backlog never holds one huge result in memory. */
const RETENTION_PAGE = 500;

const toDto = (log: BuildLogRecord): BuildLogDto => ({
  id: log.id,
  target_id: log.targetId,
  start_time: log.startTime,
  end_time: log.endTime,
  arch: log.arch,
  exit_code: log.exitCode,
});

/** Ids in paths: a positive decimal integer, anything else is a 400 naming the parameter. */
export function parseBuildLogId(text: string): number {
  if (!/^[1-9]\d{0,14}$/.test(text)) throw new BadRequestException('id: must be a positive integer');
  return Number(text);
}

@Injectable()
export class BuildLogsService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('hotend.buildlogs');
  private retentionTimer: NodeJS.Timeout | undefined;

  constructor(
    @Inject(BUILD_LOG_REPOSITORY) private readonly repository: BuildLogRepository,
    private readonly contents: BuildLogContentStore,
    private readonly config: HotendConfigService,
  ) {}

  /** Clears what a crash left behind, applies retention, and schedules retention daily. */
  async onModuleInit(): Promise<void> {
    const removed = await this.contents.removeOrphans((id) => this.repository.exists(id));
    if (removed.length > 0) this.logger.warn(`Removed ${removed.length} incomplete build log file(s) left by a crash`);
    await this.removeExpiredLogs();
    this.retentionTimer = setInterval(() => {
      this.removeExpiredLogs().catch((error: unknown) => this.logger.error(`Build log retention failed: ${error}`));
    }, DAY_MS);
    this.retentionTimer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.retentionTimer);
    this.retentionTimer = undefined;
  }

  async list(query: ListBuildLogsQueryDto): Promise<BuildLogListResponseDto> {
    let exitCodes: ExitCodeFilter | undefined;
    if (query.exit_codes !== undefined) {
      const parsed = parseExitCodes(query.exit_codes);
      if (typeof parsed === 'string') throw new BadRequestException(`exit_codes: ${parsed}`);
      exitCodes = parsed;
    }
    const logs = await this.repository.list({
      limit: query.limit ?? DEFAULT_LIST_LIMIT,
      offset: query.offset ?? 0,
      targetId: query.target,
      startedBefore: query.before,
      startedAfter: query.after,
      arch: query.arch,
      exitCodes,
    });
    return { message: '', data: logs.map(toDto) };
  }

  async get(idText: string): Promise<BuildLogResponseDto> {
    return { message: '', data: toDto(await this.find(parseBuildLogId(idText))) };
  }

  /**
   * Sends the content (or one byte range of it) as a stream with constant memory. The reply is sent here rather
   * than returned, because a 206 status must survive Nest's default status for GET.
   */
  async sendContent(idText: string, range: string | undefined, reply: FastifyReply): Promise<void> {
    const log = await this.find(parseBuildLogId(idText));
    const file = await this.contents.open(log.id);
    if (file === undefined) {
      this.logger.error(`Build log ${log.id} has a row but no content file`);
      throw new NotFoundException(`The content of build log ${log.id} is missing`);
    }
    const download = await rangedDownload(file, range);
    void reply.headers(download.headers);
    if (download.status === 416) {
      throw new HttpException(
        `range: "${range}" lies outside the ${file.size}-byte log`,
        HttpStatus.REQUESTED_RANGE_NOT_SATISFIABLE,
      );
    }
    void reply.status(download.status).header('content-type', 'text/plain; charset=utf-8').send(download.body);
  }

  /**
   * Validates, then receives the whole body (into memory or a temp file), then inserts the row and puts the
   * content in place, synced, in one transaction. Any failure leaves neither a row nor a file; a crash leaves at
   * most a temp file or a row-less file, both removed at the next start.
   */
  async publish(query: PublishBuildLogQueryDto, body: IncomingBuildLog): Promise<PublishBuildLogResponseDto> {
    if (query.endTime < query.startTime) {
      throw new BadRequestException(`endTime: ${query.endTime} is before startTime ${query.startTime}`);
    }
    const limit = this.config.get().buildLogs.maxBodyBytes;
    if (body.declaredLength !== undefined && body.declaredLength > limit) {
      body.closeConnectionAfterReply();
      throw new PayloadTooLargeException(`The build log is larger than the ${limit} bytes this server accepts`);
    }
    const received = await this.contents.receive(body.stream, limit).catch((error: unknown) => {
      if (error instanceof ContentTooLargeError) {
        body.closeConnectionAfterReply();
        throw new PayloadTooLargeException(`The build log is larger than the ${limit} bytes this server accepts`);
      }
      if (error instanceof ContentAbortedError) throw new BadRequestException(error.message);
      throw error;
    });
    let placedAs: number | undefined;
    try {
      const id = await this.repository.insert(
        {
          targetId: query.target,
          startTime: query.startTime,
          endTime: query.endTime,
          arch: query.arch,
          exitCode: query.exitCode,
        },
        (newId) => {
          this.contents.placeSync(received, newId);
          placedAs = newId;
        },
      );
      this.logger.log(`Stored build log ${id} (target ${query.target}, ${received.size} bytes)`);
      return { message: '', data: { id } };
    } catch (error) {
      await this.contents.discard(received, placedAs);
      throw error;
    }
  }

  /** Removes the row first, then the file: a crash in between leaves a row-less file, cleared at next start. */
  async delete(idText: string): Promise<void> {
    const id = parseBuildLogId(idText);
    if (!(await this.repository.delete(id))) throw new NotFoundException(`No build log with id ${id}`);
    await this.contents.remove(id);
  }

  /** Deletes logs whose start_time is older than `buildLogs.retentionDays` (0 keeps everything). */
  async removeExpiredLogs(now: Date = new Date()): Promise<number> {
    const days = this.config.get().buildLogs.retentionDays;
    if (days === 0) return 0;
    const cutoff = Math.floor(now.getTime() / 1000) - days * 86400;
    let removed = 0;
    for (;;) {
      const ids = await this.repository.idsStartedBefore(cutoff, RETENTION_PAGE);
      for (const id of ids) {
        if (await this.repository.delete(id)) await this.contents.remove(id);
        removed += 1;
      }
      if (ids.length < RETENTION_PAGE) break;
    }
    if (removed > 0) this.logger.log(`Retention removed ${removed} build log(s) started before ${cutoff}`);
    return removed;
  }

  private async find(id: number): Promise<BuildLogRecord> {
    const log = await this.repository.get(id);
    if (log === undefined) throw new NotFoundException(`No build log with id ${id}`);
    return log;
  }
}
