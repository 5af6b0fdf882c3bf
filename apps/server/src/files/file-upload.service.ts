import {
  BadRequestException,
  ConflictException,
  ForbiddenException,
  HttpException,
  HttpStatus,
  Injectable,
  Logger,
  NotFoundException,
  PayloadTooLargeException,
  UnsupportedMediaTypeException,
} from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { ResolvedKey } from '../auth/api-key.service.js';
import { hasPermission, Permission } from '../auth/permission.js';
import { HotendConfigService } from '../config/config.service.js';
import { fileRefs, resourceUrl } from './file-entries.js';
import { SdCardFiles } from './sd-card-files.js';
import { FileLibrary } from './file-library.js';
import { InvalidPathError, isMachineCode, joinPath, sanitizeName, sanitizePath } from './file-names.js';
import type { UploadResponseDto } from './files.dto.js';
import { readUploadForm, type UploadedPart, type UploadForm } from './upload-form.js';

const TRUE_VALUES = new Set(['true', 'yes', 'y', '1']);
/** OctoPrint's boolean: `true`/`yes`/`y`/`1` in any case; a repeated query parameter counts by its first value. */
export const isTrue = (value: unknown): boolean => {
  const first: unknown = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' && TRUE_VALUES.has(first.toLowerCase());
};

/** The 4xx/5xx a storage failure becomes: the reason, never a stack (spec §3.4 row 13). */
function storageFailure(error: unknown): HttpException {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENAMETOOLONG') return new BadRequestException('Invalid path: the name or path is too long');
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    return new HttpException('Could not store the file: no space left on the device', HttpStatus.INSUFFICIENT_STORAGE);
  }
  const message = error instanceof Error ? error.message.split(':')[0] : String(error);
  return new HttpException(`Could not store the file: ${message}`, HttpStatus.INTERNAL_SERVER_ERROR);
}

/** A client that went away mid-upload: nothing to answer, only to clean up. */
function isClientAbort(error: unknown): boolean {
  const code = (error as { code?: string } | undefined)?.code;
  return code === 'FST_REQ_FILE_TOO_LARGE' ? false : code === 'ECONNRESET' || code === 'FST_PREMATURE_CLOSE';
}

/**
 * `POST /api/files/{location}`: multipart file upload or folder creation (spec §3.4), checks in OctoPrint's order.
 * The body is streamed to a hidden temp file and renamed into place only after every check passed, so a failed or
 * interrupted upload never leaves a file that is listed.
 */
@Injectable()
export class FileUploadService {
  private readonly logger = new Logger('hotend.files');

  constructor(
    private readonly library: FileLibrary,
    private readonly config: HotendConfigService,
    private readonly sdCard: SdCardFiles,
  ) {}

  async upload(
    location: string,
    request: FastifyRequest,
    key: ResolvedKey,
    baseUrl: string,
  ): Promise<UploadResponseDto> {
    if (location !== 'local' && location !== 'sdcard') throw new NotFoundException(`Unknown location: ${location}`);
    if (!/;\s*boundary=/i.test(request.headers['content-type'] ?? '')) {
      throw new BadRequestException('Expected a multipart/form-data body with a boundary');
    }
    let form: UploadForm;
    try {
      form = await readUploadForm(request, this.library.storage, this.config.get().files.maxUploadBytes);
    } catch (error) {
      if (isClientAbort(error)) this.logger.warn(`Upload aborted by the client: ${(error as Error).message}`);
      if (error instanceof HttpException) throw error;
      const status = (error as { statusCode?: number } | undefined)?.statusCode;
      if (status !== undefined && status >= 400 && status < 500) {
        throw new HttpException((error as Error).message, status === 413 ? 413 : 400);
      }
      // A file-system error carries its system call; anything else is the multipart parser refusing the body.
      if ((error as NodeJS.ErrnoException | undefined)?.syscall !== undefined) throw storageFailure(error);
      throw new BadRequestException(`Malformed multipart body: ${(error as Error).message}`);
    }
    try {
      return await this.decide(location, form, key, baseUrl);
    } finally {
      // Whatever was not renamed into place goes.
      await Promise.all(form.files.map((file) => this.library.storage.discard(file.staged)));
    }
  }

  private async decide(
    location: 'local' | 'sdcard',
    form: UploadForm,
    key: ResolvedKey,
    baseUrl: string,
  ): Promise<UploadResponseDto> {
    if (form.forbiddenField !== undefined) {
      throw new BadRequestException(`Field ${form.forbiddenField} is not allowed`);
    }
    const [file, ...more] = form.files;
    if (more.length > 0) throw new BadRequestException('More than one file part; upload one file per request');
    if (file === undefined) {
      const foldername = form.fields.get('foldername');
      if (foldername === undefined) throw new BadRequestException('No file to upload and no folder to create');
      return this.createFolder(location, foldername, form.fields.get('path'), baseUrl);
    }
    if (file.staged.truncated) throw new PayloadTooLargeException('File too large');
    let userdata: unknown;
    const userdataText = form.fields.get('userdata');
    if (userdataText !== undefined) {
      try {
        userdata = JSON.parse(userdataText) as unknown;
      } catch {
        throw new BadRequestException('userdata contains invalid JSON');
      }
    }
    if (location === 'sdcard') {
      this.library.assertSdUsable();
      // Stored locally first (as OctoPrint), then written to the card through the serial line.
      const stored = await this.storeLocal(
        file,
        new Map([...form.fields].filter(([name]) => name !== 'select' && name !== 'print')),
        userdata,
        key,
        baseUrl,
      );
      const local = stored.files?.local;
      if (local === undefined) return stored;
      const select = isTrue(form.fields.get('select'));
      const print = isTrue(form.fields.get('print'));
      const { remote, effectiveSelect, effectivePrint } = await this.sdCard.transfer(local.path, key, {
        select,
        print,
      });
      this.library.events.uploaded({
        name: local.name,
        path: remote,
        target: 'sdcard',
        select,
        print,
        effective_select: effectiveSelect,
        effective_print: effectivePrint,
        ...(userdata === undefined ? {} : { userdata }),
      });
      return {
        files: {
          local,
          sdcard: {
            name: remote,
            path: remote,
            origin: 'sdcard',
            refs: { resource: resourceUrl(baseUrl, 'sdcard', remote) },
          },
        },
        done: false,
        effectiveSelect,
        effectivePrint,
      };
    }
    const stored = await this.storeLocal(file, form.fields, userdata, key, baseUrl);
    const local = stored.files?.local;
    if (local !== undefined) {
      this.library.events.uploaded({
        name: local.name,
        path: local.path,
        target: 'local',
        select: isTrue(form.fields.get('select')),
        print: isTrue(form.fields.get('print')),
        effective_select: stored.effectiveSelect ?? false,
        effective_print: stored.effectivePrint ?? false,
        ...(userdata === undefined ? {} : { userdata }),
      });
    }
    return stored;
  }

  /** The stored path of an upload: `filename` field or the part's name (its folders), overridden by `path`. */
  private targetOf(file: UploadedPart, fields: ReadonlyMap<string, string>): { segments: string[]; display: string } {
    try {
      const named = sanitizePath(fields.get('filename') ?? file.filename);
      const rawName = (fields.get('filename') ?? file.filename).split('/').at(-1) ?? '';
      const name = named.at(-1);
      if (name === undefined) throw new InvalidPathError(file.filename);
      const pathField = fields.get('path');
      const folder = pathField === undefined ? named.slice(0, -1) : sanitizePath(pathField);
      return { segments: [...folder, name], display: rawName };
    } catch (error) {
      if (error instanceof InvalidPathError) throw new BadRequestException('Invalid path');
      throw error;
    }
  }

  private async storeLocal(
    file: UploadedPart,
    fields: ReadonlyMap<string, string>,
    userdata: unknown,
    key: ResolvedKey,
    baseUrl: string,
  ): Promise<UploadResponseDto> {
    const { segments, display } = this.targetOf(file, fields);
    const path = joinPath(segments);
    const storage = this.library.storage;
    if (this.library.inUse(path))
      throw new ConflictException('Trying to overwrite file that is currently being printed');
    const existing = await storage.kind(segments);
    if (existing === 'file' && isTrue(fields.get('noOverwrite'))) {
      throw new ConflictException('File already exists and noOverwrite was set');
    }
    if (existing === 'file' && !hasPermission(key.permissions, Permission.FILES_DELETE)) {
      throw new ForbiddenException('File already exists, cannot overwrite due to a lack of permissions');
    }
    if (!isMachineCode(path)) throw new UnsupportedMediaTypeException('Could not upload file, invalid type');
    if (existing === 'folder') throw new ConflictException('File or folder already exists');
    // The folders the commit will create, so that clients following folder events see them appear.
    const newFolders: string[] = [];
    for (let depth = 1; depth < segments.length; depth += 1) {
      const ancestor = await storage.kind(segments.slice(0, depth));
      if (ancestor === 'file') {
        throw new ConflictException(`${joinPath(segments.slice(0, depth))} is a file, not a folder`);
      }
      if (ancestor === undefined) newFolders.push(joinPath(segments.slice(0, depth)));
    }
    try {
      await storage.commit(file.staged, segments);
    } catch (error) {
      throw storageFailure(error);
    }
    const name = segments.at(-1) ?? '';
    this.library.metadata.recordUpload(path, {
      hash: file.staged.hash,
      ...(display !== name ? { display } : {}),
      user: key.name,
      ...(userdata === undefined ? {} : { userdata }),
    });
    this.library.events.foldersCreated(newFolders);
    this.library.events.added(path, 'file');
    this.library.queueAnalysis(path);
    const { effectiveSelect, effectivePrint } = await this.applySelection(path, name, display, fields, key);
    return {
      files: { local: { name, path, origin: 'local', refs: fileRefs(baseUrl, path) } },
      done: true,
      effectiveSelect,
      effectivePrint,
    };
  }

  /** `select`/`print` never fail an upload: they apply only with the permission and an idle printer (spec §3.4). */
  private async applySelection(
    path: string,
    name: string,
    display: string,
    fields: ReadonlyMap<string, string>,
    key: ResolvedKey,
  ): Promise<{ effectiveSelect: boolean; effectivePrint: boolean }> {
    const selection = this.library.selection;
    const wantPrint = isTrue(fields.get('print')) && hasPermission(key.permissions, Permission.PRINT);
    const wantSelect =
      (isTrue(fields.get('select')) || isTrue(fields.get('print'))) &&
      hasPermission(key.permissions, Permission.FILES_SELECT);
    const reselect = selection.current?.origin === 'local' && selection.current.path === path && !this.library.busy;
    if (!(wantSelect || wantPrint || reselect) || !this.library.ready) {
      return { effectiveSelect: false, effectivePrint: false };
    }
    const entry = await this.library.storage.entry(path.split('/'), 0);
    selection.select({
      origin: 'local',
      path,
      name,
      display,
      size: entry?.size ?? null,
      date: entry?.mtime ?? null,
      user: key.name,
    });
    if (!wantPrint) return { effectiveSelect: wantSelect, effectivePrint: false };
    try {
      await selection.startPrint(key.name);
      return { effectiveSelect: true, effectivePrint: true };
    } catch (error) {
      this.logger.warn(`Upload of ${path}: print did not start: ${(error as Error).message}`);
      return { effectiveSelect: true, effectivePrint: false };
    }
  }

  /** `foldername` without a file (spec §3.4 folder table); creating an existing folder again is a 201. */
  private async createFolder(
    location: 'local' | 'sdcard',
    foldername: string,
    pathField: string | undefined,
    baseUrl: string,
  ): Promise<UploadResponseDto> {
    if (location !== 'local') throw new BadRequestException('target is invalid');
    let segments: string[];
    try {
      const named = sanitizePath(foldername);
      const folder = pathField === undefined ? named.slice(0, -1) : sanitizePath(pathField);
      const last = named.at(-1) ?? sanitizeName(foldername);
      if (last === '') throw new BadRequestException('folder name is empty');
      segments = [...folder, last];
    } catch (error) {
      if (error instanceof InvalidPathError) throw new BadRequestException('Invalid path');
      throw error;
    }
    const name = segments.at(-1) ?? '';
    if (isMachineCode(name)) throw new ConflictException("Can't create folder, please try another name");
    const storage = this.library.storage;
    if (segments.length > 1 && (await storage.kind(segments.slice(0, -1))) !== 'folder') {
      throw new NotFoundException('Parent folder not found');
    }
    const existing = await storage.kind(segments);
    if (existing === 'file') throw new ConflictException('File or folder already exists');
    try {
      await storage.makeFolder(segments);
    } catch (error) {
      throw storageFailure(error);
    }
    const path = joinPath(segments);
    if (existing === undefined) this.library.events.added(path, 'folder');
    return {
      folder: { name, path, origin: 'local', refs: { resource: resourceUrl(baseUrl, 'local', path) } },
      done: true,
    };
  }
}
