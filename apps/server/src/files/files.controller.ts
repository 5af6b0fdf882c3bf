import {
  createParamDecorator,
  type ExecutionContext,
  applyDecorators,
  Body,
  Controller,
  Delete,
  Get,
  Headers,
  HttpCode,
  Param,
  Post,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiConflictResponse,
  ApiConsumes,
  ApiCreatedResponse,
  ApiHeader,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiParam,
  ApiPayloadTooLargeResponse,
  ApiProduces,
  ApiQuery,
  ApiResponse,
  ApiTags,
  ApiUnsupportedMediaTypeResponse,
  ApiExtraModels,
  getSchemaPath,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ResolvedKey } from '../auth/api-key.service.js';
import { CallerKey, RequireAnyPermission, RequirePermission } from '../auth/auth.decorators.js';
import { Permission } from '../auth/permission.js';
import { RouteBody } from '../common/http/route-body.js';
import { UPLOAD_BODY_TYPE } from './upload-parser.js';
import { externalBaseUrl } from '../system/external-url.js';
import { FileDownloadsService } from './file-downloads.service.js';
import { FileUploadService } from './file-upload.service.js';
import {
  FileCommandDto,
  FileEntryDto,
  FileListDto,
  FileTestDto,
  FileTestResponseDto,
  StoredFileRefDto,
  UploadFormDto,
  UploadResponseDto,
  UploadSdResponseDto,
} from './files.dto.js';
import { type Listing, FilesService, NotModified, type ListQuery } from './files.service.js';

/** The rest of the URL after `:location/` (Fastify's `*`), decoded; documented as the `path` parameter. */
const WildcardPath = createParamDecorator((_: unknown, context: ExecutionContext): string => {
  const params = context.switchToHttp().getRequest<FastifyRequest<{ Params: Record<string, string> }>>().params;
  return params['*'] ?? '';
});

const LOCATION = { name: 'location', enum: ['local', 'sdcard'], description: 'Where the files are.' } as const;
const PATH = { name: 'path', type: String, description: 'Path of the file or folder ("a/b.gcode").' } as const;
const ApiListQueries = (): MethodDecorator =>
  applyDecorators(
    ApiQuery({ name: 'recursive', required: false, description: 'Also list the contents of sub-folders.' }),
    ApiQuery({ name: 'force', required: false, description: 'Any value: answer in full, never 304.' }),
    ApiQuery({ name: 'filter', required: false, description: 'Only files of this type (e.g. `gcode`).' }),
  );

/** Answers a listing with its ETag, or 304 when the caller already has it. */
async function sendListing(reply: FastifyReply, listing: Promise<Listing>): Promise<void> {
  try {
    const { body, etag } = await listing;
    void reply.header('etag', etag).header('cache-control', 'no-cache').send(body);
  } catch (error) {
    if (!(error instanceof NotModified)) throw error;
    void reply.status(304).header('etag', error.etag).send();
  }
}

/** 201 with `Location` = the new entry's resource (Cura follows it). */
async function sendCreated(
  reply: FastifyReply,
  created: Promise<UploadResponseDto | StoredFileRefDto | UploadSdResponseDto>,
): Promise<void> {
  const body = await created;
  const location =
    'refs' in body
      ? body.refs.resource
      : 'file' in body
        ? body.file.refs.resource
        : (body.files?.sdcard?.refs.resource ?? body.files?.local?.refs.resource ?? body.folder?.refs.resource);
  if (location !== undefined) void reply.header('location', location);
  void reply.status(201).send(body);
}

async function sendCommandResult(
  reply: FastifyReply,
  result: Promise<StoredFileRefDto | UploadSdResponseDto | undefined>,
): Promise<void> {
  const body = await result;
  if (body === undefined) void reply.status(204).header('content-type', 'text/plain').send('');
  else await sendCreated(reply, Promise.resolve(body));
}

/** OctoPrint's Files API (spec octoprint-files-jobs §3). */
@ApiTags('Files')
@ApiExtraModels(UploadSdResponseDto)
@Controller('api/files')
export class FilesController {
  constructor(
    private readonly files: FilesService,
    private readonly uploads: FileUploadService,
  ) {}

  /**
   * List all files and folders.
   * @remarks Local files and folders (folders first, then by name), then the SD card's files when the card is
   * ready, with the free and total bytes of the uploads file system. Answers carry an ETag; `If-None-Match` with it
   * is a 304 unless `force` is given. `recursive=true` fills every folder's `children`; `filter=gcode` keeps only
   * files of that type (folders stay).
   */
  @Get()
  @RequirePermission(Permission.FILES_LIST)
  @ApiListQueries()
  @ApiOkResponse({ type: FileListDto, description: 'The files and folders.' })
  @ApiResponse({ status: 304, description: 'Not modified (If-None-Match matched).' })
  listFiles(
    @Query() query: ListQuery,
    @Headers('if-none-match') etag: string | undefined,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    return sendListing(reply, this.files.list('all', query, externalBaseUrl(request), etag));
  }

  /**
   * Test a file name before uploading.
   * @remarks `sanitize` answers the path a name would be stored under; `exists` says whether it is taken and, if
   * so, suggests the first free `name_N.ext`. `command`, `storage`, `path` and `filename` are all required.
   */
  @Post('test')
  @HttpCode(200)
  @RequirePermission(Permission.FILES_LIST)
  @ApiBody({ type: FileTestDto })
  @ApiOkResponse({ type: FileTestResponseDto, description: 'The stored name, or whether it exists.' })
  testFileName(@Body() body: unknown): Promise<FileTestResponseDto> {
    return this.files.test(body);
  }

  /**
   * List the files of one location.
   * @remarks `local`: the uploads folder with free and total bytes; `sdcard`: the printer's card (empty when the
   * card is not ready). Any other location is a 404.
   */
  @Get(':location')
  @RequirePermission(Permission.FILES_LIST)
  @ApiParam(LOCATION)
  @ApiListQueries()
  @ApiOkResponse({ type: FileListDto, description: 'The files and folders.' })
  @ApiNotFoundResponse({ description: 'Unknown location.' })
  listFilesForLocation(
    @Param('location') location: string,
    @Query() query: ListQuery,
    @Headers('if-none-match') etag: string | undefined,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    return sendListing(reply, this.files.list(location, query, externalBaseUrl(request), etag));
  }

  /**
   * Upload a G-code file, or create a folder.
   * @remarks Multipart form with `file` and optionally `path` (target folder, created if missing), `select`,
   * `print` (print at once: needs PRINT and an idle printer, otherwise answered `effectivePrint: false`), `userdata`
   * (JSON), `noOverwrite`. With `foldername` and no file, a folder is created instead (again: still a 201). Names
   * are sanitised as OctoPrint does; `..`, absolute paths and backslashes are refused. The body is streamed to disk
   * and the file appears only once it is complete. `Location` is the new entry's resource.
   */
  @Post(':location')
  @RouteBody(UPLOAD_BODY_TYPE)
  @RequirePermission(Permission.FILES_UPLOAD)
  @ApiParam(LOCATION)
  @ApiConsumes('multipart/form-data')
  @ApiBody({ type: UploadFormDto })
  @ApiCreatedResponse({ type: UploadResponseDto, description: 'Stored; `Location` is the new entry.' })
  @ApiBadRequestResponse({ description: 'No file or folder, bad path, bad `userdata`, several files.' })
  @ApiConflictResponse({ description: 'The file is being printed, exists with `noOverwrite`, or is a folder.' })
  @ApiNotFoundResponse({ description: 'Unknown location, or the parent folder is missing.' })
  @ApiPayloadTooLargeResponse({ description: 'Larger than `files.maxUploadBytes`.' })
  @ApiUnsupportedMediaTypeResponse({ description: 'Not a .gcode, .gco or .g file.' })
  @ApiResponse({ status: 507, description: 'No space left for the file.' })
  uploadFile(
    @Param('location') location: string,
    @CallerKey() key: ResolvedKey,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    return sendCreated(reply, this.uploads.upload(location, request, key, externalBaseUrl(request)));
  }

  /**
   * Get one file or folder.
   * @remarks A file with its analysis, print history and statistics; a folder with its direct children (their
   * sub-folders with empty `children`), or all levels with `recursive=true`.
   */
  @Get(':location/*')
  @RequirePermission(Permission.FILES_LIST)
  @ApiParam(LOCATION)
  @ApiParam(PATH)
  @ApiQuery({ name: 'recursive', required: false, description: 'Also list the contents of sub-folders.' })
  @ApiOkResponse({ type: FileEntryDto, description: 'The file or folder.' })
  @ApiNotFoundResponse({ description: 'Unknown location or path.' })
  getFile(
    @Param('location') location: string,
    @WildcardPath() path: string,
    @Query() query: ListQuery,
    @Req() request: FastifyRequest,
  ): Promise<FileEntryDto> {
    return this.files.get(location, path, query, externalBaseUrl(request));
  }

  /**
   * Run a command on a file or folder.
   * @remarks `select` (FILES_SELECT; with `"print": true` also PRINT) makes it the file to print; `unselect` clears
   * the selection (path `current` works); `copy` and `move` (FILES_UPLOAD, move also FILES_DELETE) to `destination`,
   * an existing folder or a new path; `analyse` queues the G-code analysis again; `slice` has no slicer;
   * `uploadSd` (FILES_UPLOAD) writes a local file to the printer's SD card (201; `select`/`print` follow the transfer).
   */
  @Post(':location/*')
  @RequireAnyPermission(Permission.FILES_SELECT, Permission.FILES_UPLOAD, Permission.FILES_DELETE)
  @ApiParam(LOCATION)
  @ApiParam(PATH)
  @ApiBody({ type: FileCommandDto })
  @ApiNoContentResponse({ description: 'Done (select, unselect, analyse).' })
  @ApiCreatedResponse({
    schema: { oneOf: [{ $ref: getSchemaPath(StoredFileRefDto) }, { $ref: getSchemaPath(UploadSdResponseDto) }] },
    description:
      'Copied or moved (the new entry), or the SD transfer started (`uploadSd`); `Location` is the new entry.',
  })
  @ApiBadRequestResponse({ description: 'Unknown command, missing `destination`, bad path.' })
  @ApiConflictResponse({ description: 'The printer is busy, or the target exists.' })
  @ApiNotFoundResponse({ description: 'Unknown location or path.' })
  @ApiUnsupportedMediaTypeResponse({ description: 'Not a machine code file, or no slicer.' })
  issueFileCommand(
    @Param('location') location: string,
    @WildcardPath() path: string,
    @Body() body: unknown,
    @CallerKey() key: ResolvedKey,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    return sendCommandResult(reply, this.files.command(location, path, body, key, externalBaseUrl(request)));
  }

  /**
   * Delete a file or folder.
   * @remarks A folder goes with everything in it. The file being printed (or a folder holding it) is a 409; the
   * selected file of an idle printer is unselected first.
   */
  @Delete(':location/*')
  @HttpCode(204)
  @RequirePermission(Permission.FILES_DELETE)
  @ApiParam(LOCATION)
  @ApiParam(PATH)
  @ApiNoContentResponse({ description: 'Deleted.' })
  @ApiConflictResponse({ description: 'The file (or one in the folder) is being printed.' })
  @ApiNotFoundResponse({ description: 'Unknown location or path.' })
  deleteFile(@Param('location') location: string, @WildcardPath() path: string): Promise<void> {
    return this.files.delete(location, path);
  }
}

/** `GET /downloads/files/local/{path}`: the file itself (FILES_DOWNLOAD; `?apikey=` works for links). */
@ApiTags('Files')
@Controller('downloads/files')
export class FileDownloadsController {
  constructor(private readonly downloads: FileDownloadsService) {}

  /**
   * Download a stored file.
   * @remarks As `text/plain` with `Content-Disposition` naming the file as uploaded; one `Range` is honoured with a
   * 206. The key may be given as `?apikey=` so the URL works as a link.
   */
  @Get('local/*')
  @RequirePermission(Permission.FILES_DOWNLOAD)
  @ApiParam(PATH)
  @ApiProduces('text/plain')
  @ApiHeader({ name: 'Range', required: false, description: 'One byte range, e.g. `bytes=0-1023`' })
  @ApiOkResponse({ description: 'The file.', content: { 'text/plain': { schema: { type: 'string' } } } })
  @ApiNotFoundResponse({ description: 'No such file.' })
  downloadFile(
    @WildcardPath() path: string,
    @Headers('range') range: string | undefined,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    return this.downloads.send(path, range, reply);
  }
}
