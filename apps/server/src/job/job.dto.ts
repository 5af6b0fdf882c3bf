import { ApiProperty, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';
import { ToolFilamentDto } from '../files/files.dto.js';

export class JobFileDto {
  @ApiProperty({ type: String, nullable: true })
  name!: string | null;
  @ApiProperty({ type: String, nullable: true })
  path!: string | null;
  @ApiProperty({ type: String, nullable: true })
  display!: string | null;
  @ApiProperty({ type: String, nullable: true, enum: ['local', 'sdcard'] })
  origin!: 'local' | 'sdcard' | null;
  /** Bytes, measured when selected. */
  @ApiProperty({ type: Number, nullable: true })
  size!: number | null;
  /** Modification time, epoch seconds. */
  @ApiProperty({ type: Number, nullable: true })
  date!: number | null;
}

export class JobInfoDto {
  file!: JobFileDto;
  /** Seconds, from the file's analysis. */
  @ApiProperty({ type: Number, nullable: true })
  estimatedPrintTime!: number | null;
  /** Mean seconds of successful prints with this printer profile. */
  @ApiProperty({ type: Number, nullable: true })
  averagePrintTime!: number | null;
  @ApiProperty({ type: Number, nullable: true })
  lastPrintTime!: number | null;
  /** Per tool (`tool0`, ...), from the analysis. */
  @ApiProperty({
    type: 'object',
    nullable: true,
    additionalProperties: { $ref: getSchemaPath(ToolFilamentDto) },
  })
  filament!: Record<string, ToolFilamentDto> | null;
  /** Key name of whoever selected or started the file. */
  @ApiProperty({ type: String, nullable: true })
  user!: string | null;
}

export class JobProgressDto {
  /** Percent of the file done, 0 to 100. */
  @ApiProperty({ type: Number, nullable: true })
  completion!: number | null;
  /** Bytes of the file sent so far. */
  @ApiProperty({ type: Number, nullable: true })
  filepos!: number | null;
  /** Seconds since the start, pauses excluded. */
  @ApiProperty({ type: Number, nullable: true })
  printTime!: number | null;
  @ApiProperty({ type: Number, nullable: true })
  printTimeLeft!: number | null;
  @ApiProperty({
    type: String,
    nullable: true,
    enum: ['linear', 'analysis', 'estimate', 'average', 'mixed-analysis', 'mixed-average'],
  })
  printTimeLeftOrigin!: string | null;
}

/** GET /api/job. */
export class JobResponseDto {
  job!: JobInfoDto;
  progress!: JobProgressDto;
  /** The printer state as text (`Operational`, `Printing`, `Paused`, `Offline after error`, ...). */
  state!: string;
  /** Why the last print or connection failed; only present when there is something to say. */
  @ApiPropertyOptional()
  error?: string;
}

/** POST /api/job. */
export class JobCommandDto {
  @ApiProperty({ enum: ['start', 'restart', 'pause', 'cancel'] })
  command!: string;
  /** For `pause`: `pause`, `resume` or `toggle` (the default). */
  @ApiPropertyOptional({ enum: ['pause', 'resume', 'toggle'] })
  action?: string;
}
