import 'reflect-metadata';
import { Type } from 'class-transformer';
import {
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsDefined,
  IsEnum,
  IsIn,
  IsInt,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateBy,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { Permission } from '../auth/permission.js';

/**
 * The shape of `<basedir>/config.yaml`. Defaults live on the properties, so a file only needs what it changes.
 * Unknown keys are rejected at start, so a typo does not silently fall back to a default.
 */

export class ServerCommandsConfig {
  /** Command line that shuts the host down (e.g. `sudo shutdown -h now`). Unset: not offered. */
  @IsOptional() @IsString() @MinLength(1) systemShutdownCommand?: string;
  /** Command line that reboots the host. Unset: not offered. */
  @IsOptional() @IsString() @MinLength(1) systemRestartCommand?: string;
  /** Command line that restarts Hotend (e.g. `sudo systemctl restart hotend`). Unset: not offered. */
  @IsOptional() @IsString() @MinLength(1) serverRestartCommand?: string;
  /** Command line that restarts Hotend in safe mode. Unset: not offered. */
  @IsOptional() @IsString() @MinLength(1) serverRestartSafeCommand?: string;
}

export class CorsConfig {
  /** Origins whose pages may call the API (`https://dash.example:8080`), or `*` for any; none: same-origin only. */
  @IsArray()
  @Matches(/^(\*|https?:\/\/[^/\s]+)$/, {
    each: true,
    message: 'each of $property must be * or a scheme and host without a path, like http://localhost:3000',
  })
  origins: string[] = [];
}

export class ServerConfig {
  @IsString() host = '0.0.0.0';
  @IsInt() @Min(0) @Max(65535) port = 5000;
  /** Largest JSON body accepted, in bytes (413 beyond). */
  @IsInt() @Min(1024) bodyLimit = 1024 * 1024;
  @ValidateNested() @Type(() => ServerCommandsConfig) commands = new ServerCommandsConfig();
  @ValidateNested() @Type(() => CorsConfig) cors = new CorsConfig();
}

export class ApiKeyConfig {
  @IsString() @MinLength(1) @MaxLength(64) name!: string;
  @IsString() @MinLength(16) key!: string;
  @IsArray() @ArrayUnique() @IsEnum(Permission, { each: true }) permissions!: Permission[];
}

export class ApiConfig {
  @IsArray() @ValidateNested({ each: true }) @Type(() => ApiKeyConfig) keys: ApiKeyConfig[] = [];
}

export class AxisConfig {
  /** Maximum feedrate in mm/min, used for jog and extrude defaults. */
  @IsNumber() @Min(1) speed!: number;
  @IsBoolean() inverted = false;
}

const axis = (speed: number): AxisConfig => Object.assign(new AxisConfig(), { speed });

export class AxesConfig {
  @ValidateNested() @Type(() => AxisConfig) x = axis(6000);
  @ValidateNested() @Type(() => AxisConfig) y = axis(6000);
  @ValidateNested() @Type(() => AxisConfig) z = axis(200);
  @ValidateNested() @Type(() => AxisConfig) e = axis(300);
}

export class ExtruderConfig {
  @IsInt() @Min(1) @Max(16) count = 1;
  @IsBoolean() sharedNozzle = false;
}

export class TemperatureLimitsConfig {
  /** Highest target accepted for a tool, in °C (400 above). */
  @IsNumber() @Min(0) @Max(500) toolMax = 300;
  @IsNumber() @Min(0) @Max(200) bedMax = 140;
  @IsNumber() @Min(0) @Max(150) chamberMax = 80;
}

export class PrinterProfileConfig {
  @IsString() @Matches(/^[A-Za-z0-9_-]+$/) id = '_default';
  @IsString() name = 'Default';
  @IsString() model = 'Hotend simulated printer';
  @ValidateNested() @Type(() => ExtruderConfig) extruder = new ExtruderConfig();
  @IsBoolean() heatedBed = true;
  @IsBoolean() heatedChamber = false;
  @ValidateNested() @Type(() => AxesConfig) axes = new AxesConfig();
  @ValidateNested() @Type(() => TemperatureLimitsConfig) temperatures = new TemperatureLimitsConfig();
  /** The printer has an SD card the host may use (OctoPrint's `feature.sdSupport`); false: the SD endpoints 404. */
  @IsBoolean() sdSupport = true;
  /** Custom controls for GET /api/printer/command/custom, in OctoPrint's `controls` format (served as written). */
  @IsArray() @IsObject({ each: true }) controls: Record<string, unknown>[] = [];
}

export const FLOW_CONTROL_MODES = ['ping-pong', 'send-ahead'] as const;
export type FlowControlMode = (typeof FLOW_CONTROL_MODES)[number];

export const COMM_PROCESSES = ['child', 'server'] as const;
export type CommProcess = (typeof COMM_PROCESSES)[number];
/** The deprecated `serial.thread` values: `worker` is today's `commProcess: child`, `main` is `server`. */
export const SERIAL_THREADS = ['worker', 'main'] as const;
export type SerialThread = (typeof SERIAL_THREADS)[number];

export class SerialTimeoutsConfig {
  /** Seconds to wait for the firmware to answer the handshake. */
  @IsNumber() @Min(0.1) connection = 10;
  /** Seconds without any reply before an ok is considered lost. */
  @IsNumber() @Min(0.1) communication = 30;
  /** Same, while the firmware has said it is busy. */
  @IsNumber() @Min(0.1) communicationBusy = 3;
  /** Seconds between M105 polls when the firmware does not auto-report. */
  @IsNumber() @Min(0.1) temperature = 5;
  /** Seconds a write may stay unaccepted by the port before one retry, then the connection closes with an error. */
  @IsNumber() @Min(0.1) write = 10;
  /** Seconds between M27 polls while an SD file is selected or printing, when the firmware does not auto-report. */
  @IsNumber() @Min(0.1) sdStatus = 1;
}

export class SerialConfig {
  /** `VIRTUAL` for the built-in simulator, or a device path such as `/dev/ttyACM0`; `AUTO` tries every port. */
  @IsOptional() @IsString() port?: string = 'VIRTUAL';
  /** 0 means detect. */
  @IsOptional() @IsInt() @Min(0) baudrate?: number = 115200;
  @IsBoolean() autoconnect = true;
  /** Write the conversation to `logs/serial.log`. */
  @IsBoolean() log = true;
  @IsIn(FLOW_CONTROL_MODES) flowControl: FlowControlMode = 'ping-pong';
  /** Most lines in flight in send-ahead mode. */
  @IsInt() @Min(1) @Max(64) sendAheadLines = 4;
  /** The firmware's RX buffer in bytes (Marlin's RX_BUFFER_SIZE); send-ahead never exceeds it. */
  @IsInt() @Min(32) rxBufferSize = 127;
  @ValidateNested() @Type(() => SerialTimeoutsConfig) timeouts = new SerialTimeoutsConfig();
  /** Most lines sent through the printer API that may wait for the printer at once (429 beyond). */
  @IsInt() @Min(1) @Max(1_000_000) commandQueueLimit = 1000;
  /** Device paths to offer besides the detected ones. */
  @IsArray() @IsString({ each: true }) additionalPorts: string[] = [];
  /**
   * Where the serial protocol runs: `child` (a separate process owning the port, so HTTP load never delays the
   * G-code stream) or `server` (in the server's process, on the HTTP event loop; for debugging). Unset: `child`.
   */
  @IsOptional() @IsIn(COMM_PROCESSES) commProcess?: CommProcess;
  /** Deprecated name of `commProcess` (`worker` = `child`, `main` = `server`); accepted, with a warning. */
  @IsOptional() @IsIn(SERIAL_THREADS) thread?: SerialThread;
}

/** One entry of `system.actions`: a custom system command, or a `divider` for the menu. */
export class SystemActionConfig {
  /** Identifier used in the URL; the special value `divider` is a menu separator and is never executed. */
  @IsDefined({ message: 'action is required' })
  @IsString()
  @MaxLength(64)
  @Matches(/^[a-z0-9_-]+$/, { message: 'action must match [a-z0-9_-]+' })
  action!: string;
  /** Shown in the System menu; defaults to the action. */
  @IsOptional() @IsString() @MinLength(1) name?: string;
  /** Run with `/bin/sh -c`; only ever taken from this file, never from a request. */
  @ValidateIf((entry: SystemActionConfig) => entry.action !== 'divider')
  @Matches(/\S/, { message: 'command is required for every entry that is not a divider, and must not be blank' })
  command?: string;
  /** Text of a confirmation dialog; `false` (as OctoPrint allows) or absent for none. */
  @IsOptional()
  @ValidateIf((entry: SystemActionConfig) => entry.confirm !== false)
  @IsString({ message: 'confirm must be a string or false' })
  confirm?: string | false;
  /** Answer at once and only log the outcome, instead of waiting for the exit code. */
  @IsOptional() @IsBoolean() async?: boolean;
  /** Treat a non-zero exit code as success. */
  @IsOptional() @IsBoolean() ignore?: boolean;
}

/** Names a shell accepts for a variable: letters, digits and `_`, not starting with a digit. */
const ENVIRONMENT_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A `{NAME: value}` map of environment variables with string values. */
const IsEnvironmentMap = (): PropertyDecorator =>
  ValidateBy({
    name: 'isEnvironmentMap',
    validator: {
      validate: (value: unknown) =>
        value !== null &&
        typeof value === 'object' &&
        !Array.isArray(value) &&
        Object.entries(value).every(([name, text]) => ENVIRONMENT_NAME_PATTERN.test(name) && typeof text === 'string'),
      defaultMessage: () => '$property must map variable names ([A-Za-z_][A-Za-z0-9_]*) to strings',
    },
  });

export class SystemConfig {
  @IsArray() @ValidateNested({ each: true }) @Type(() => SystemActionConfig) actions: SystemActionConfig[] = [];
  /** Variables added to the minimal environment system commands run with (see system/command-environment.ts). */
  @IsEnvironmentMap() environment: Record<string, string> = {};
  /** Seconds a synchronous command may run before its whole process group is killed. */
  @IsNumber() @Min(1) @Max(86_400) commandTimeout = 60;
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;
export type LogLevelName = (typeof LOG_LEVELS)[number];

/** Logger names are dotted words under `hotend`: `hotend`, `hotend.comm`, `hotend.comm.serial`. */
export const LOGGER_NAME_PATTERN = /^hotend(\.[A-Za-z0-9_-]{1,64}){0,8}$/;

/** A `{logger: level}` map whose names match LOGGER_NAME_PATTERN and whose levels are LOG_LEVELS. */
const IsLoggerLevelMap = (): PropertyDecorator =>
  ValidateBy({
    name: 'isLoggerLevelMap',
    validator: {
      validate: (value: unknown) =>
        value !== null &&
        typeof value === 'object' &&
        !Array.isArray(value) &&
        Object.entries(value).every(
          ([name, level]) => LOGGER_NAME_PATTERN.test(name) && (LOG_LEVELS as readonly unknown[]).includes(level),
        ),
      defaultMessage: () =>
        `$property must map logger names (hotend, hotend.<area>...) to one of ${LOG_LEVELS.join(', ')}`,
    },
  });

export class LoggingConfig {
  /** Rotated files older than this many days are deleted; 0 keeps them. */
  @IsInt() @Min(0) retentionDays = 14;
  /** Rotated files are deleted, oldest first, while all logs together exceed this many bytes; 0 means no cap. */
  @IsInt() @Min(0) maxTotalBytes = 500 * 1024 * 1024;
  /** Level per named logger, e.g. `hotend.comm: debug`. */
  @IsLoggerLevelMap() levels: Record<string, LogLevelName> = {};
  /** Level for loggers not named in `levels`. */
  @IsIn(LOG_LEVELS) defaultLevel: LogLevelName = 'info';
  /** Largest `/log` body accepted, in bytes. */
  @IsInt() @Min(1024) ingestBodyLimit = 1024 * 1024;
}

export class BuildLogsConfig {
  /** Largest build log accepted by publish, in bytes (413 beyond). */
  @IsInt() @Min(0) maxBodyBytes = 1024 * 1024 * 1024;
  /** Logs older than this many days are deleted at start and daily; 0 keeps everything. */
  @IsInt() @Min(0) retentionDays = 0;
}

export const ANALYSIS_RUN_AT = ['idle', 'always', 'never'] as const;

export class FilesConfig {
  /** Largest upload accepted, in bytes (413 beyond). */
  @IsInt() @Min(1) maxUploadBytes = 1024 * 1024 * 1024;
  /** When background G-code analysis runs: `idle` (not while printing), `always`, or `never`. */
  @IsIn(ANALYSIS_RUN_AT) analysisRunAt: (typeof ANALYSIS_RUN_AT)[number] = 'idle';
}

/**
 * G-code run around a print (OctoPrint's `scripts.gcode`), one command per line; `{{ pause_position.x }}` (y, z, e,
 * f) is the position captured when the print paused. Unset: the default (only `afterPrintCancelled` has one: motors
 * off, every heater and the fan off).
 */
export class ScriptsConfig {
  @IsOptional() @IsString() beforePrintStarted?: string;
  @IsOptional() @IsString() afterPrintDone?: string;
  @IsOptional() @IsString() afterPrintCancelled?: string;
  @IsOptional() @IsString() afterPrintPaused?: string;
  @IsOptional() @IsString() beforePrintResumed?: string;
  /** Send M400 and M114 when a print pauses, so the scripts know where the head stopped. */
  @IsBoolean() logPositionOnPause = true;
}

export class HotendConfig {
  @ValidateNested() @Type(() => ServerConfig) server = new ServerConfig();
  @ValidateNested() @Type(() => ApiConfig) api = new ApiConfig();
  @ValidateNested() @Type(() => PrinterProfileConfig) printerProfile = new PrinterProfileConfig();
  @ValidateNested() @Type(() => SerialConfig) serial = new SerialConfig();
  @ValidateNested() @Type(() => SystemConfig) system = new SystemConfig();
  @ValidateNested() @Type(() => LoggingConfig) logging = new LoggingConfig();
  @ValidateNested() @Type(() => BuildLogsConfig) buildLogs = new BuildLogsConfig();
  @ValidateNested() @Type(() => FilesConfig) files = new FilesConfig();
  @ValidateNested() @Type(() => ScriptsConfig) scripts = new ScriptsConfig();
}
