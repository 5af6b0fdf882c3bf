import { ApiExtraModels, ApiProperty, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';

// Shapes of the Files API (spec octoprint-files-jobs §2, §3). Bodies are checked by FilesService in OctoPrint's
// order (404 for the location before 400 for the body), so these classes document rather than validate.

export class AreaDto {
  minX!: number;
  maxX!: number;
  minY!: number;
  maxY!: number;
  minZ!: number;
  maxZ!: number;
}

export class DimensionsDto {
  width!: number;
  depth!: number;
  height!: number;
}

export class ToolFilamentDto {
  /** Millimetres of filament. */
  length!: number;
  /** Cubic centimetres (0 when the file does not say the filament diameter). */
  volume!: number;
}

@ApiExtraModels(ToolFilamentDto)
export class GcodeAnalysisDto {
  /** Seconds, when the file moves at all. */
  estimatedPrintTime?: number;
  /** Per tool: `tool0`, `tool1`, ... */
  @ApiProperty({ type: 'object', additionalProperties: { $ref: getSchemaPath(ToolFilamentDto) } })
  filament!: Record<string, ToolFilamentDto>;
  dimensions!: DimensionsDto;
  printingArea!: AreaDto;
  travelDimensions!: DimensionsDto;
  travelArea!: AreaDto;
  /** Present (true) when the file extrudes nothing. */
  _empty?: boolean;
}

export class LastPrintDto {
  /** Float epoch seconds. */
  date!: number;
  success!: boolean;
  /** Seconds, only for a successful print. */
  printTime?: number;
}

export class PrintsDto {
  success!: number;
  failure!: number;
  last?: LastPrintDto;
}

export class PrintStatisticsDto {
  /** Printer profile id → mean seconds of successful prints. */
  @ApiProperty({ type: 'object', additionalProperties: { type: 'number' } })
  averagePrintTime!: Record<string, number>;
  /** Printer profile id → seconds of the newest successful print. */
  @ApiProperty({ type: 'object', additionalProperties: { type: 'number' } })
  lastPrintTime!: Record<string, number>;
}

export class FileRefsDto {
  /** Absolute URL of the entry in the Files API. */
  resource!: string;
  /** Absolute download URL (local files only). */
  download?: string;
}

/** A local file or folder, or a file on the printer's SD card. */
export class FileEntryDto {
  name!: string;
  /** The name as uploaded (differs from `name` when sanitising changed it). */
  display!: string;
  path!: string;
  @ApiProperty({ enum: ['machinecode', 'folder'] })
  type!: 'machinecode' | 'folder';
  @ApiProperty({ type: [String], example: ['machinecode', 'gcode'] })
  typePath!: string[];
  @ApiProperty({ enum: ['local', 'sdcard'] })
  origin!: 'local' | 'sdcard';
  /** Bytes (for a folder: all files below it). */
  size?: number;
  /** Modification time, epoch seconds. */
  date?: number;
  /** SHA-1 of the contents. */
  hash?: string;
  /** Name of the key that uploaded it. */
  user?: string;
  refs!: FileRefsDto;
  gcodeAnalysis?: GcodeAnalysisDto;
  /** True while the file waits for or undergoes analysis. */
  analysisPending?: boolean;
  prints?: PrintsDto;
  statistics?: PrintStatisticsDto;
  @ApiPropertyOptional({ description: 'What the uploader sent as `userdata` (any JSON).' })
  userdata?: unknown;
  /** A folder's entries (empty in non-recursive listings below the first level). */
  @ApiPropertyOptional({ type: () => [FileEntryDto] })
  children?: FileEntryDto[];
}

export class FileListDto {
  @ApiProperty({ type: [FileEntryDto] })
  files!: FileEntryDto[];
  /** Free bytes on the uploads file system. */
  free?: number;
  /** Size of the uploads file system in bytes. */
  total?: number;
}

export class StoredFileRefDto {
  name!: string;
  path!: string;
  @ApiProperty({ enum: ['local', 'sdcard'] })
  origin!: 'local' | 'sdcard';
  refs!: FileRefsDto;
}

export class UploadedFilesDto {
  local?: StoredFileRefDto;
  sdcard?: StoredFileRefDto;
}

/** Answer to `uploadSd` (201): the card file being written, and what follows once it is there. */
export class UploadSdResponseDto {
  file!: StoredFileRefDto;
  effectiveSelect!: boolean;
  effectivePrint!: boolean;
}

/** Answer to a file upload (201). */
export class UploadResponseDto {
  files?: UploadedFilesDto;
  folder?: StoredFileRefDto;
  /** False while an SD transfer still runs. */
  done!: boolean;
  effectiveSelect?: boolean;
  effectivePrint?: boolean;
}

/** Multipart form of an upload; `file` or `foldername` is required. */
export class UploadFormDto {
  @ApiPropertyOptional({ type: 'string', format: 'binary', description: 'The G-code file (.gcode, .gco, .g).' })
  file?: unknown;
  /** Folder to store it in, created if missing (overrides a folder in the filename); "" is the top level. */
  path?: string;
  /** Select the file after upload ("true"/"yes"/"y"/"1"; needs FILES_SELECT). */
  select?: string;
  /** Print it at once (needs PRINT; implies select). */
  print?: string;
  /** JSON stored with the file as `userdata`. */
  userdata?: string;
  /** Create this folder instead of uploading a file. */
  foldername?: string;
  /** Store under this name instead of the file part's. */
  filename?: string;
  /** Refuse (409) instead of replacing an existing file. */
  noOverwrite?: string;
}

/** `select`, `unselect`, `copy`, `move`, `analyse` or `slice` on one entry. */
export class FileCommandDto {
  @ApiProperty({ enum: ['select', 'unselect', 'copy', 'move', 'analyse', 'slice', 'uploadSd'] })
  command!: string;
  /** `select`: start printing it too. */
  print?: boolean;
  /** `copy`/`move`: an existing folder (the entry goes inside) or the new path. */
  destination?: string;
}

export class FileTestDto {
  @ApiProperty({ enum: ['sanitize', 'exists'] })
  command!: string;
  @ApiProperty({ enum: ['local'] })
  storage!: string;
  path!: string;
  filename!: string;
}

export class FileTestResponseDto {
  sanitized?: string;
  exists?: boolean;
  suggestion?: string;
  size?: number;
  date?: number;
}
