import {
  BadRequestException,
  ConflictException,
  ForbiddenException,
  HttpException,
  HttpStatus,
  Injectable,
  NotFoundException,
  UnsupportedMediaTypeException,
} from '@nestjs/common';
import { createHash } from 'node:crypto';
import type { ResolvedKey } from '../auth/api-key.service.js';
import { hasPermission, Permission } from '../auth/permission.js';
import { PrinterCommService } from '../comm/printer-comm.service.js';
import { HotendConfigService } from '../config/config.service.js';
import { fileRefs, resourceUrl, toEntry } from './file-entries.js';
import { FileLibrary } from './file-library.js';
import {
  InvalidPathError,
  isMachineCode,
  joinPath,
  parseStoredPath,
  sanitizeName,
  sanitizePath,
} from './file-names.js';
import type {
  FileEntryDto,
  FileListDto,
  FileTestResponseDto,
  StoredFileRefDto,
  UploadSdResponseDto,
} from './files.dto.js';
import { SdCardFiles } from './sd-card-files.js';
import { isTrue } from './file-upload.service.js';

const COMMANDS = ['select', 'unselect', 'copy', 'move', 'analyse', 'slice', 'uploadSd'] as const;
type FileCommand = (typeof COMMANDS)[number];

/** Raised when a conditional GET finds nothing new: the controller answers 304. */
export class NotModified {
  constructor(readonly etag: string) {}
}

/** Query parameters as Fastify parses them: a repeated one arrives as an array. */
export interface ListQuery {
  readonly recursive?: string | string[];
  readonly force?: string | string[];
  readonly filter?: string | string[];
}

const firstOf = (value: string | string[] | undefined): string | undefined => (Array.isArray(value) ? value[0] : value);

export interface Listing {
  readonly body: FileListDto;
  readonly etag: string;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Keeps files whose type path has `filter` (folders always stay, OctoPrint's intent for `?filter=`). */
function filterEntries(entries: FileEntryDto[], filter: string | undefined): FileEntryDto[] {
  if (filter === undefined || filter === '') return entries;
  return entries
    .filter((entry) => entry.type === 'folder' || entry.typePath.includes(filter))
    .map((entry) =>
      entry.children === undefined ? entry : { ...entry, children: filterEntries(entry.children, filter) },
    );
}

/** The Files API's reads and entry commands (spec §3.1-3.3, §3.5-3.7); uploads are FileUploadService. */
@Injectable()
export class FilesService {
  constructor(
    private readonly library: FileLibrary,
    private readonly config: HotendConfigService,
    private readonly comm: PrinterCommService,
    private readonly sdCard: SdCardFiles,
  ) {}

  private static location(location: string): 'local' | 'sdcard' {
    if (location !== 'local' && location !== 'sdcard') throw new NotFoundException(`Unknown location: ${location}`);
    return location;
  }

  private static storedPath(path: string): string[] {
    const segments = parseStoredPath(path);
    if (segments === undefined) throw new NotFoundException(`No file or folder at ${path}`);
    return segments;
  }

  /** GET /api/files and /api/files/{location}: ETag over the whole answer, so any change is seen. */
  async list(
    location: 'all' | string,
    query: ListQuery,
    baseUrl: string,
    ifNoneMatch: string | undefined,
  ): Promise<Listing> {
    const where = location === 'all' ? 'all' : FilesService.location(location);
    const files: FileEntryDto[] = [];
    let usage: { free: number; total: number } | undefined;
    if (where !== 'sdcard') {
      const depth = where === 'all' && isTrue(query.recursive) ? Number.POSITIVE_INFINITY : 1;
      const recursive = where === 'local' && isTrue(query.recursive) ? Number.POSITIVE_INFINITY : depth;
      const root = await this.library.storage.entry([], recursive);
      const context = this.library.entryContext(baseUrl, '');
      files.push(
        ...filterEntries(
          (root?.children ?? []).map((child) => toEntry(child, context)),
          firstOf(query.filter),
        ),
      );
      usage = await this.library.storage.usage();
    }
    if (where !== 'local') files.push(...this.sdCard.entries(baseUrl));
    // Folders first, then by name.
    files.sort((a, b) =>
      a.type === b.type ? (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) : a.type === 'folder' ? -1 : 1,
    );
    const body: FileListDto = usage === undefined ? { files } : { files, free: usage.free, total: usage.total };
    const etag = `"${createHash('sha1').update(JSON.stringify(body)).digest('hex')}"`;
    if (ifNoneMatch === etag && (firstOf(query.force) ?? '') === '') throw new NotModified(etag);
    return { body, etag };
  }

  /** GET /api/files/{location}/{path}: one entry; a folder with its direct children. */
  async get(location: string, path: string, query: ListQuery, baseUrl: string): Promise<FileEntryDto> {
    if (FilesService.location(location) === 'sdcard') {
      return this.sdCard.find(path, baseUrl);
    }
    const segments = FilesService.storedPath(path);
    const depth = isTrue(query.recursive) ? Number.POSITIVE_INFINITY : 1;
    const entry = segments.length === 0 ? undefined : await this.library.storage.entry(segments, depth);
    if (entry === undefined) throw new NotFoundException(`No file or folder at ${path}`);
    return toEntry(entry, this.library.entryContext(baseUrl, joinPath(segments)));
  }

  /** DELETE /api/files/{location}/{path} (spec §3.6). */
  async delete(location: string, path: string): Promise<void> {
    if (FilesService.location(location) === 'sdcard') {
      const file = this.sdCard.find(path);
      // OctoPrint deletes even during another SD print; Hotend refuses while anything prints.
      if (this.library.busy) throw new ConflictException('Trying to delete a file that is currently in use');
      const selected = this.library.selection.current;
      if (selected?.origin === 'sdcard' && selected.path === file.path) this.library.selection.clear();
      await this.comm.send([`M30 /${file.name}`, 'M20']);
      this.library.events.removedFromCard(file.path);
      return;
    }
    const segments = FilesService.storedPath(path);
    const kind = segments.length === 0 ? undefined : await this.library.storage.kind(segments);
    const stored = joinPath(segments);
    if (kind === undefined || (kind === 'file' && !isMachineCode(stored))) {
      throw new NotFoundException(`No file or folder at ${path}`);
    }
    if (this.library.inUse(stored)) {
      throw new ConflictException(
        kind === 'file'
          ? 'Trying to delete a file that is currently in use'
          : 'Trying to delete a folder that contains a file that is currently in use',
      );
    }
    if (this.library.selection.holds(stored)) this.library.selection.clear();
    this.library.analysis.removeTree(stored);
    await this.library.storage.remove(segments);
    this.library.metadata.deleteTree(stored);
    this.library.events.removed(stored, kind);
  }

  /** POST /api/files/{location}/{path}: `select`, `unselect`, `copy`, `move`, `analyse`, `slice`, `uploadSd`. */
  async command(
    location: string,
    path: string,
    body: unknown,
    key: ResolvedKey,
    baseUrl: string,
  ): Promise<StoredFileRefDto | UploadSdResponseDto | undefined> {
    const where = FilesService.location(location);
    const segments = where === 'local' ? FilesService.storedPath(path) : path.split('/');
    if (!isRecord(body) || typeof body['command'] !== 'string' || !COMMANDS.includes(body['command'] as FileCommand)) {
      throw new BadRequestException(`command is invalid, expected one of: ${COMMANDS.join(', ')}`);
    }
    const command = body['command'] as FileCommand;
    if ((command === 'copy' || command === 'move') && typeof body['destination'] !== 'string') {
      throw new BadRequestException('Mandatory parameters missing');
    }
    const need = (permission: Permission): void => {
      if (!hasPermission(key.permissions, permission)) {
        throw new ForbiddenException(`The API key "${key.name}" lacks the ${permission} permission`);
      }
    };
    switch (command) {
      case 'select':
        need(Permission.FILES_SELECT);
        await this.select(where, segments, body['print'] === true || body['print'] === 1, key);
        return undefined;
      case 'unselect':
        need(Permission.FILES_SELECT);
        this.unselect(where, path);
        return undefined;
      case 'copy':
      case 'move':
        need(Permission.FILES_UPLOAD);
        if (command === 'move') need(Permission.FILES_DELETE);
        if (where !== 'local') throw new BadRequestException(`Unsupported target for ${command}`);
        return this.relocate(command, segments, body['destination'] as string, baseUrl);
      case 'analyse':
        need(Permission.FILES_UPLOAD);
        return this.analyse(where, segments);
      case 'slice':
        // OctoPrint without a slicer plugin: missing file 404, permission, a named slicer is unknown (404), else 415.
        // Hotend has no SLICE permission (no slicer to guard); FILES_UPLOAD stands in.
        if (where !== 'local' || (await this.library.storage.kind(segments)) !== 'file') {
          throw new NotFoundException(`No file at ${path}`);
        }
        need(Permission.FILES_UPLOAD);
        if (body['slicer'] !== undefined) throw new NotFoundException(`Unknown slicer: ${String(body['slicer'])}`);
        throw new UnsupportedMediaTypeException('Cannot slice file, no slicer available');
      case 'uploadSd':
        return this.uploadSd(where, segments, body, key, baseUrl);
    }
  }

  private async select(where: 'local' | 'sdcard', segments: string[], print: boolean, key: ResolvedKey): Promise<void> {
    const path = joinPath(segments);
    if (where === 'sdcard') return this.sdCard.select(path, print, key);
    const entry = segments.length === 0 ? undefined : await this.library.storage.entry(segments, 0);
    if (entry === undefined) throw new NotFoundException(`No file or folder at ${path}`);
    if (entry.type !== 'file') throw new UnsupportedMediaTypeException('Only machine code files can be selected');
    if (!this.library.ready) throw new ConflictException('Printer is already printing, cannot select a new file');
    if (print && !hasPermission(key.permissions, Permission.PRINT)) {
      throw new ForbiddenException(`The API key "${key.name}" lacks the PRINT permission`);
    }
    const meta = this.library.metadata.get(path);
    this.library.selection.select({
      origin: 'local',
      path,
      name: entry.name,
      display: meta?.display ?? entry.name,
      size: entry.size,
      date: entry.mtime,
      user: key.name,
    });
    if (print) await this.library.selection.startPrint(key.name);
  }

  /** `uploadSd` (spec §3.5): checks in OctoPrint's order, FILES_UPLOAD after them; 201 once the transfer started. */
  private async uploadSd(
    where: 'local' | 'sdcard',
    segments: string[],
    body: Record<string, unknown>,
    key: ResolvedKey,
    baseUrl: string,
  ): Promise<UploadSdResponseDto> {
    if (where !== 'local') throw new BadRequestException('Invalid command, uploadSd needs a local file');
    if (!this.config.get().printerProfile.sdSupport) {
      throw new BadRequestException('Invalid command,SD support is disabled');
    }
    this.library.assertSdUsable();
    if (!hasPermission(key.permissions, Permission.FILES_UPLOAD)) {
      throw new ForbiddenException(`The API key "${key.name}" lacks the FILES_UPLOAD permission`);
    }
    const path = joinPath(segments);
    if (segments.length === 0 || (await this.library.storage.kind(segments)) !== 'file' || !isMachineCode(path)) {
      throw new NotFoundException(`No file at ${path}`);
    }
    const flag = (value: unknown): boolean => value === true || value === 1 || isTrue(value);
    const started = await this.sdCard.transfer(path, key, { select: flag(body['select']), print: flag(body['print']) });
    return {
      file: {
        name: started.remote,
        path: started.remote,
        origin: 'sdcard',
        refs: { resource: resourceUrl(baseUrl, 'sdcard', started.remote) },
      },
      effectiveSelect: started.effectiveSelect,
      effectivePrint: started.effectivePrint,
    };
  }

  private unselect(where: 'local' | 'sdcard', path: string): void {
    if (this.library.busy || !this.library.operational) {
      throw new ConflictException('Printer is already printing, cannot unselect current file');
    }
    const current = this.library.selection.current;
    if (current === undefined) {
      throw new ConflictException('Cannot unselect current file when there is no file selected');
    }
    if (path !== 'current' && (current.origin !== where || current.path !== path)) {
      throw new BadRequestException('Only the currently selected file can be unselected');
    }
    this.library.selection.clear();
  }

  private async analyse(where: 'local' | 'sdcard', segments: string[]): Promise<undefined> {
    const path = joinPath(segments);
    if (where !== 'local' || segments.length === 0 || (await this.library.storage.kind(segments)) !== 'file') {
      throw new NotFoundException(`No file at ${path}`);
    }
    if (!isMachineCode(path)) throw new BadRequestException('No analysis possible');
    this.library.queueAnalysis(path);
    return undefined;
  }

  /** copy/move (spec §3.5): into an existing folder under the same name, else to the new full path. */
  private async relocate(
    command: 'copy' | 'move',
    source: string[],
    destination: string,
    baseUrl: string,
  ): Promise<StoredFileRefDto> {
    const storage = this.library.storage;
    const kind = source.length === 0 ? undefined : await storage.kind(source);
    const from = joinPath(source);
    if (kind === undefined) throw new NotFoundException(`No file or folder at ${from}`);
    let target: string[];
    try {
      target = sanitizePath(destination);
    } catch (error) {
      if (error instanceof InvalidPathError) throw new BadRequestException('Invalid path');
      throw error;
    }
    if ((await storage.kind(target)) === 'folder') target = [...target, source.at(-1) ?? ''];
    const to = joinPath(target);
    if (target.length === 0) throw new BadRequestException('Invalid path');
    if (command === 'move' && this.library.inUse(from)) {
      throw new ConflictException('Trying to move a file or folder that is currently in use');
    }
    if (to === from || to.startsWith(`${from}/`)) {
      if (to === from && command === 'move') return this.refOf(source.at(-1) ?? '', to, kind, baseUrl);
      throw new BadRequestException(`Cannot ${command} ${from} into itself`);
    }
    if ((await storage.kind(target)) !== undefined) throw new ConflictException('File or folder does already exist');
    if (kind === 'file' && !isMachineCode(to)) {
      throw new UnsupportedMediaTypeException(`Could not ${command} ${from} to ${to}, invalid type`);
    }
    if (target.length > 1 && (await storage.kind(target.slice(0, -1))) !== 'folder') {
      throw new NotFoundException(`Parent folder of ${to} not found`);
    }
    try {
      if (command === 'copy') await storage.copy(source, target);
      else await storage.move(source, target);
    } catch (error) {
      throw new HttpException(`Could not ${command} ${from} to ${to}`, HttpStatus.INTERNAL_SERVER_ERROR, {
        cause: error,
      });
    }
    this.library.metadata.relocateTree(from, to, command);
    if (command === 'move') {
      this.library.analysis.removeTree(from);
      if (this.library.selection.holds(from)) this.library.selection.clear();
    }
    if (command === 'copy') this.library.events.added(to, kind, 'copy');
    else this.library.events.moved(from, to, kind);
    if (kind === 'file' && this.library.metadata.get(to)?.analysis === undefined) this.library.queueAnalysis(to);
    return this.refOf(source.at(-1) ?? '', to, kind, baseUrl);
  }

  private refOf(name: string, path: string, kind: 'file' | 'folder', baseUrl: string): StoredFileRefDto {
    return {
      name,
      path,
      origin: 'local',
      refs: kind === 'file' ? fileRefs(baseUrl, path) : { resource: resourceUrl(baseUrl, 'local', path) },
    };
  }

  /** POST /api/files/test: what a name would be stored as, and whether it exists (spec §3.7). */
  async test(body: unknown): Promise<FileTestResponseDto> {
    if (
      !isRecord(body) ||
      typeof body['command'] !== 'string' ||
      typeof body['storage'] !== 'string' ||
      typeof body['path'] !== 'string' ||
      typeof body['filename'] !== 'string'
    ) {
      throw new BadRequestException('Mandatory parameters missing');
    }
    const { command, storage, path = '', filename = '' } = body as Record<string, string>;
    if (command !== 'sanitize' && command !== 'exists') {
      throw new BadRequestException('command is invalid, expected one of: sanitize, exists');
    }
    if (storage !== 'local') throw new BadRequestException('Only local storage can be tested');
    let folder: string[];
    let name: string;
    try {
      folder = sanitizePath(path);
      name = sanitizeName(filename);
    } catch {
      throw new BadRequestException('Invalid path');
    }
    if (command === 'sanitize') return { sanitized: joinPath([...folder, name]) };
    const entry = name === '' ? undefined : await this.library.storage.entry([...folder, name], 0);
    if (entry === undefined) return { exists: false };
    const dot = name.lastIndexOf('.');
    const stem = dot > 0 ? name.slice(0, dot) : name;
    const extension = dot > 0 ? name.slice(dot) : '';
    let suggestion = name;
    for (let index = 1; (await this.library.storage.kind([...folder, suggestion])) !== undefined; index += 1) {
      suggestion = `${stem}_${index}${extension}`;
    }
    return { exists: true, suggestion, size: entry.size, date: entry.mtime };
  }
}
