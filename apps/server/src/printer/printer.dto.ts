import { ApiExtraModels, ApiProperty, ApiPropertyOptional, ApiSchema, getSchemaPath } from '@nestjs/swagger';
import type { ApiSchemaOptions } from '@nestjs/swagger';
import {
  IsArray,
  IsBoolean,
  IsIn,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  MaxLength,
  ValidateBy,
  ValidateIf,
  type ValidationOptions,
} from 'class-validator';

// ---------------------------------------------------------------------------------------------------------------
// Helpers

/**
 * `@ApiSchema` spreads every option into the class schema; its typing only names `name`/`description`. This lets a
 * map-like DTO (keys `tool0..N`, `bed`, ...) declare `additionalProperties`, so the SDK gets an index signature.
 */
function ApiMapSchema(options: ApiSchemaOptions & { additionalProperties: { $ref: string } }) {
  return ApiSchema(options);
}

const FINITE = { allowNaN: false, allowInfinity: false } as const;

/** Validated only when the body's `command` is one of `commands` (the parameters of that command). */
const forCommand =
  (...commands: string[]) =>
  (body: { command?: unknown }): boolean =>
    typeof body.command === 'string' && commands.includes(body.command);

/** A finite number, or a boolean (jog `speed`: false/0 mean "no F parameter", as OctoPrint treats them). */
function IsNumberOrBoolean(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isNumberOrBoolean',
      validator: {
        validate: (value: unknown) =>
          typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value)),
        defaultMessage: () => '$property must be a number or a boolean',
      },
    },
    options,
  );
}

/** Parameter values for `/api/printer/command` placeholders: strings, finite numbers or booleans. */
function IsParameterMap(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isParameterMap',
      validator: {
        validate: (value: unknown) =>
          value !== null &&
          typeof value === 'object' &&
          !Array.isArray(value) &&
          Object.values(value).every(
            (item) =>
              typeof item === 'string' ||
              typeof item === 'boolean' ||
              (typeof item === 'number' && Number.isFinite(item)),
          ),
        defaultMessage: () => '$property must be an object of strings, numbers or booleans',
      },
    },
    options,
  );
}

const invalidCommand = (commands: readonly string[]) => ({
  message: `command is invalid, expected one of: ${commands.join(', ')}`,
});

// ---------------------------------------------------------------------------------------------------------------
// Queries

/** `history`/`limit` as OctoPrint parses them: lenient, never a 400. */
export class TemperatureHistoryQueryDto {
  /** Include the temperature history: `true`, `yes`, `y` or `1` (any case). */
  @ApiPropertyOptional({ type: Boolean })
  @IsOptional()
  @IsString()
  history?: string;

  /** Only the last `limit` history entries (ignored without `history`; absent, 0 or not a number: all of them). */
  @ApiPropertyOptional({ type: 'integer', minimum: 0 })
  @IsOptional()
  @IsString()
  limit?: string;
}

export class PrinterStateQueryDto extends TemperatureHistoryQueryDto {
  /** Comma-separated parts to leave out: `temperature`, `sd`, `state` (others are ignored). */
  @ApiPropertyOptional({ type: String })
  @IsOptional()
  @IsString()
  exclude?: string;
}

// ---------------------------------------------------------------------------------------------------------------
// Command bodies (one DTO per endpoint, switched on `command`)

export const PRINTHEAD_COMMANDS = ['jog', 'home', 'feedrate'] as const;
export type PrintheadCommand = (typeof PRINTHEAD_COMMANDS)[number];
export const AXES = ['x', 'y', 'z'] as const;
export type Axis = (typeof AXES)[number];

export class PrintheadCommandDto {
  @ApiProperty({ enum: PRINTHEAD_COMMANDS, enumName: 'PrintheadCommand' })
  @IsIn(PRINTHEAD_COMMANDS, invalidCommand(PRINTHEAD_COMMANDS))
  command!: PrintheadCommand;

  /** `jog`: distance (or, with `absolute`, position) on X in mm. */
  @ValidateIf(forCommand('jog'))
  @IsOptional()
  @IsNumber(FINITE)
  x?: number;

  /** `jog`: distance (or position) on Y in mm. */
  @ValidateIf(forCommand('jog'))
  @IsOptional()
  @IsNumber(FINITE)
  y?: number;

  /** `jog`: distance (or position) on Z in mm. */
  @ValidateIf(forCommand('jog'))
  @IsOptional()
  @IsNumber(FINITE)
  z?: number;

  /** `jog`: move to the given coordinates instead of by them. */
  @ValidateIf(forCommand('jog'))
  @IsOptional()
  @IsBoolean()
  absolute?: boolean;

  /**
   * `jog`: feedrate in mm/min. Absent or null: the slowest profile speed of the moved axes; `false` or 0: no `F`.
   */
  @ApiPropertyOptional({ oneOf: [{ type: 'number', minimum: 0, nullable: true }, { type: 'boolean' }] })
  @ValidateIf(forCommand('jog'))
  @IsOptional()
  @IsNumberOrBoolean()
  speed?: number | boolean | null;

  /** `home`: the axes to home; an empty list homes all of them. */
  @ApiPropertyOptional({ enum: AXES, enumName: 'Axis', isArray: true })
  @ValidateIf(forCommand('home'))
  @IsArray({ message: 'axes must be a list of x, y, z' })
  @IsIn(AXES, { each: true, message: 'axis is invalid, expected x, y or z' })
  axes?: Axis[];

  /** `feedrate`: an integer is a percentage (105), a fraction is a factor (1.05); at least 1 %. */
  @ValidateIf(forCommand('feedrate'))
  @IsNumber(FINITE, { message: 'factor is invalid' })
  factor?: number;
}

export const TOOL_COMMANDS = ['target', 'offset', 'select', 'extrude', 'flowrate'] as const;
export type ToolCommand = (typeof TOOL_COMMANDS)[number];

const NUMBER_MAP = { type: 'object', additionalProperties: { type: 'number' } } as const;

export class ToolCommandDto {
  @ApiProperty({ enum: TOOL_COMMANDS, enumName: 'ToolCommand' })
  @IsIn(TOOL_COMMANDS, invalidCommand(TOOL_COMMANDS))
  command!: ToolCommand;

  /** `target`: °C per tool, keys `tool0`, `tool1`, ... */
  @ApiPropertyOptional({ ...NUMBER_MAP, example: { tool0: 220 } })
  @ValidateIf(forCommand('target'))
  @IsObject({ message: 'targets must be an object such as {"tool0": 220}' })
  targets?: Record<string, unknown>;

  /** `offset`: °C offset per tool (−50..50), kept by the host and shown in the temperature state. */
  @ApiPropertyOptional({ ...NUMBER_MAP, example: { tool0: 5 } })
  @ValidateIf(forCommand('offset'))
  @IsObject({ message: 'offsets must be an object such as {"tool0": 5}' })
  offsets?: Record<string, unknown>;

  /** `select`: the tool to make current, `tool0`, `tool1`, ... */
  @ValidateIf(forCommand('select'))
  @IsString({ message: 'tool is invalid' })
  @MaxLength(16, { message: 'tool is invalid' })
  tool?: string;

  /** `extrude`: mm of filament; negative retracts. */
  @ValidateIf(forCommand('extrude'))
  @IsNumber(FINITE, { message: 'amount is invalid' })
  amount?: number;

  /** `extrude`: feedrate in mm/min, capped at the profile's E speed (default: that speed). */
  @ApiPropertyOptional({ minimum: 0, exclusiveMinimum: true })
  @ValidateIf(forCommand('extrude'))
  @IsOptional()
  @IsNumber(FINITE, { message: 'speed is invalid' })
  speed?: number;

  /** `flowrate`: an integer is a percentage (95), a fraction is a factor (0.95); at least 1 %. */
  @ValidateIf(forCommand('flowrate'))
  @IsNumber(FINITE, { message: 'factor is invalid' })
  factor?: number;
}

export const HEATER_COMMANDS = ['target', 'offset'] as const;
export type HeaterCommand = (typeof HEATER_COMMANDS)[number];

class HeaterCommandDto {
  @ApiProperty({ enum: HEATER_COMMANDS, enumName: 'HeaterCommand' })
  @IsIn(HEATER_COMMANDS, invalidCommand(HEATER_COMMANDS))
  command!: HeaterCommand;

  /** `target`: °C (0 turns the heater off). */
  @ValidateIf(forCommand('target'))
  @IsNumber(FINITE, { message: 'target is invalid' })
  target?: number;

  /** `offset`: °C offset (−50..50), kept by the host and shown in the temperature state. */
  @ApiPropertyOptional({ minimum: -50, maximum: 50 })
  @ValidateIf(forCommand('offset'))
  @IsNumber(FINITE, { message: 'offset is invalid' })
  offset?: number;
}

export class BedCommandDto extends HeaterCommandDto {}

export class ChamberCommandDto extends HeaterCommandDto {}

export const SD_COMMANDS = ['init', 'refresh', 'release'] as const;
export type SdCommand = (typeof SD_COMMANDS)[number];

export class SdCommandDto {
  @ApiProperty({ enum: SD_COMMANDS, enumName: 'SdCommand' })
  @IsIn(SD_COMMANDS, invalidCommand(SD_COMMANDS))
  command!: SdCommand;
}

export class GcodeCommandDto {
  /** One G-code line. Mutually exclusive with `commands`. */
  @IsOptional()
  @IsString({ message: 'command is invalid' })
  command?: string;

  /** G-code lines, sent in order. */
  @IsOptional()
  @IsArray({ message: 'commands is invalid' })
  @IsString({ each: true, message: 'commands is invalid' })
  commands?: string[];

  /** Values for `%(name)s` placeholders in the lines. */
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { oneOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }] },
    example: { temp: 210 },
  })
  @IsOptional()
  @IsParameterMap()
  parameters?: Record<string, string | number | boolean>;
}

// ---------------------------------------------------------------------------------------------------------------
// Responses

export class TemperatureDataDto {
  /** Measured °C; null until the firmware reported it. */
  @ApiProperty({ type: Number, nullable: true })
  actual!: number | null;
  /** Target °C; null until known. */
  @ApiProperty({ type: Number, nullable: true })
  target!: number | null;
  /** Host-side offset in °C (0 unless set). */
  offset!: number;
}

export class HistoricTemperatureDataDto {
  @ApiProperty({ type: Number, nullable: true })
  actual!: number | null;
  @ApiProperty({ type: Number, nullable: true })
  target!: number | null;
}

/** One history sample: `time` plus `{actual, target}` per heater (`tool0`, `bed`, ...). */
@ApiExtraModels(HistoricTemperatureDataDto)
@ApiMapSchema({ additionalProperties: { $ref: getSchemaPath(HistoricTemperatureDataDto) } })
export class TemperatureHistoryEntryDto {
  /** Epoch seconds. */
  @ApiProperty({ type: 'integer' })
  time!: number;
  [heater: string]: HistoricTemperatureDataDto | number;
}

/** Readings keyed `tool0`..`toolN`, `bed`, `chamber`, plus `history` when asked for (oldest first). */
@ApiExtraModels(TemperatureDataDto)
@ApiMapSchema({ additionalProperties: { $ref: getSchemaPath(TemperatureDataDto) } })
export class TemperatureStateDto {
  @ApiPropertyOptional({ type: TemperatureDataDto })
  bed?: TemperatureDataDto;
  @ApiPropertyOptional({ type: TemperatureDataDto })
  chamber?: TemperatureDataDto;
  @ApiPropertyOptional({ type: TemperatureHistoryEntryDto, isArray: true })
  history?: TemperatureHistoryEntryDto[];
  [heater: string]: TemperatureDataDto | TemperatureHistoryEntryDto[] | undefined;
}

export class SdStateDto {
  /** Whether the card is initialised. */
  ready!: boolean;
}

export class PrinterStateFlagsDto {
  operational!: boolean;
  printing!: boolean;
  cancelling!: boolean;
  pausing!: boolean;
  resuming!: boolean;
  finishing!: boolean;
  closedOrError!: boolean;
  error!: boolean;
  paused!: boolean;
  ready!: boolean;
  sdReady!: boolean;
}

export class PrinterStateDto {
  /** OctoPrint's state text: `Operational`, `Printing`, `Paused`, ... */
  text!: string;
  flags!: PrinterStateFlagsDto;
  /** The last error, or an empty string. */
  error!: string;
}

export class FullPrinterStateResponseDto {
  temperature?: TemperatureStateDto;
  /** Absent when SD support is off. */
  sd?: SdStateDto;
  state?: PrinterStateDto;
}

export class PrinterErrorResponseDto {
  /** The error, or an empty string when there is none. */
  error!: string;
  /** Its kind (e.g. `firmware`), or an empty string. */
  reason!: string;
  /** `emergency`, `disconnect` or `cancel`. */
  @ApiPropertyOptional({ type: String, nullable: true })
  consequence?: string | null;
  @ApiPropertyOptional({ type: String, nullable: true })
  faq?: string | null;
  /** The terminal lines around the error. */
  logs?: string[];
}

export class CustomControlsResponseDto {
  /** OctoPrint-style custom controls, as configured in `printerProfile.controls`. */
  @ApiProperty({ type: 'array', items: { type: 'object', additionalProperties: true } })
  controls!: Record<string, unknown>[];
}
