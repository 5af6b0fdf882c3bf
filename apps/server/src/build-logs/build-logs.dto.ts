import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, type TransformFnParams } from 'class-transformer';
import { IsOptional, ValidateBy, type ValidationOptions } from 'class-validator';
import { EXIT_CODE_MAX, EXIT_CODE_MIN, parseExitCodes } from './build-log-params.js';

/** Largest epoch-seconds value or id we accept: 15 digits stays far inside a safe integer. */
const MAX_QUERY_INTEGER = 999_999_999_999_999;
const INTEGER_TEXT = /^-?\d{1,15}$/;

/**
 * Query values arrive as text. An empty value counts as "not given" (as in Vieter); anything that is not a
 * plain decimal integer is left as text so validation rejects it, rather than coercing `abc` to 0.
 */
function queryInteger({ value }: TransformFnParams): unknown {
  if (value === '') return undefined;
  return typeof value === 'string' && INTEGER_TEXT.test(value) ? Number(value) : value;
}

function queryText({ value }: TransformFnParams): unknown {
  return value === '' ? undefined : value;
}

/** One message per bad value, naming the accepted range (the pipe prefixes the parameter's name). */
function IsIntegerParam(min: number, max: number, options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isIntegerParam',
      validator: {
        validate: (value: unknown) => Number.isInteger(value) && (value as number) >= min && (value as number) <= max,
        defaultMessage: (args) =>
          args?.value === undefined ? 'is required' : `must be an integer from ${min} to ${max}`,
      },
    },
    options,
  );
}

function IsArchParam(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isArchParam',
      validator: {
        validate: (value: unknown) => typeof value === 'string' && value.length <= 255 && !/[\p{Cc}]/u.test(value),
        defaultMessage: (args) =>
          args?.value === undefined ? 'is required' : 'must be one text value of at most 255 characters',
      },
    },
    options,
  );
}

function IsExitCodeList(): PropertyDecorator {
  return ValidateBy({
    name: 'isExitCodeList',
    validator: {
      validate: (value: unknown) => typeof value === 'string' && typeof parseExitCodes(value) !== 'string',
      defaultMessage: (args) => {
        const parsed = typeof args?.value === 'string' ? parseExitCodes(args.value) : 'must be one text value';
        return typeof parsed === 'string' ? parsed : 'is not valid';
      },
    },
  });
}

export class ListBuildLogsQueryDto {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 1000, default: 25, description: 'Most results.' })
  @IsOptional()
  @Transform(queryInteger)
  @IsIntegerParam(1, 1000)
  limit?: number;

  @ApiPropertyOptional({ type: 'integer', minimum: 0, default: 0, description: 'Results to skip.' })
  @IsOptional()
  @Transform(queryInteger)
  @IsIntegerParam(0, MAX_QUERY_INTEGER)
  offset?: number;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, description: 'Only logs for this target id.' })
  @IsOptional()
  @Transform(queryInteger)
  @IsIntegerParam(1, MAX_QUERY_INTEGER)
  target?: number;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 0,
    description: 'Only logs whose start_time is strictly before this time (UTC epoch seconds).',
  })
  @IsOptional()
  @Transform(queryInteger)
  @IsIntegerParam(0, MAX_QUERY_INTEGER)
  before?: number;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 0,
    description: 'Only logs whose start_time is strictly after this time (UTC epoch seconds).',
  })
  @IsOptional()
  @Transform(queryInteger)
  @IsIntegerParam(0, MAX_QUERY_INTEGER)
  after?: number;

  @ApiPropertyOptional({ type: String, description: 'Only logs built on this architecture (exact match).' })
  @IsOptional()
  @Transform(queryText)
  @IsArchParam()
  arch?: string;

  @ApiPropertyOptional({
    type: String,
    description:
      'Comma-separated exit codes. Plain codes are alternatives (`1,2`: code 1 or 2); codes prefixed with `!` are ' +
      'excluded (`!1,!2`: neither 1 nor 2). Both together: one of the plain codes and none of the excluded ones.',
  })
  @IsOptional()
  @Transform(queryText)
  @IsExitCodeList()
  exit_codes?: string;
}

export class PublishBuildLogQueryDto {
  @ApiProperty({ type: 'integer', minimum: 0, description: 'Start time of the build (UTC epoch seconds).' })
  @Transform(queryInteger)
  @IsIntegerParam(0, MAX_QUERY_INTEGER)
  startTime!: number;

  @ApiProperty({
    type: 'integer',
    minimum: 0,
    description: 'End time of the build (UTC epoch seconds); not before startTime.',
  })
  @Transform(queryInteger)
  @IsIntegerParam(0, MAX_QUERY_INTEGER)
  endTime!: number;

  @ApiProperty({ type: String, description: 'Architecture the build ran on, e.g. `x86_64` or `stm32f446`.' })
  @Transform(queryText)
  @IsArchParam()
  arch!: string;

  @ApiProperty({
    type: 'integer',
    minimum: EXIT_CODE_MIN,
    maximum: EXIT_CODE_MAX,
    description: 'Exit code of the build.',
  })
  @Transform(queryInteger)
  @IsIntegerParam(EXIT_CODE_MIN, EXIT_CODE_MAX)
  exitCode!: number;

  @ApiProperty({
    type: 'integer',
    minimum: 1,
    description:
      'Id of the target this build is for. Hotend keeps no registry of targets (unlike Vieter, which answers ' +
      '"Unknown target."): any positive integer is accepted and stored as given.',
  })
  @Transform(queryInteger)
  @IsIntegerParam(1, MAX_QUERY_INTEGER)
  target!: number;
}

export class BuildLogDto {
  @ApiProperty({ type: 'integer', example: 1 })
  id!: number;
  @ApiProperty({ type: 'integer', example: 3 })
  target_id!: number;
  @ApiProperty({ type: 'integer', example: 1652008554, description: 'UTC epoch seconds.' })
  start_time!: number;
  @ApiProperty({ type: 'integer', example: 1652008559, description: 'UTC epoch seconds.' })
  end_time!: number;
  @ApiProperty({ type: String, example: 'x86_64' })
  arch!: string;
  @ApiProperty({ type: 'integer', example: 0 })
  exit_code!: number;
}

export class BuildLogListResponseDto {
  /** Empty on success. */
  message!: string;
  @ApiProperty({ type: [BuildLogDto] })
  data!: BuildLogDto[];
}

export class BuildLogResponseDto {
  /** Empty on success. */
  message!: string;
  data!: BuildLogDto;
}

export class BuildLogIdDto {
  @ApiProperty({ type: 'integer', example: 15 })
  id!: number;
}

export class PublishBuildLogResponseDto {
  /** Empty on success. */
  message!: string;
  data!: BuildLogIdDto;
}
