import type { Firmware } from './firmware.js';
import type { ParsedCommand } from './gcode.js';
import type { ResolvedOptions, SimDialect } from './options.js';
import type { SdListing } from './sd.js';
import type { Heater } from './thermal.js';
import type { Position, Running } from './types.js';
import { MarlinDialect } from './dialect-marlin.js';
import { VirtualPrinterDialect } from './dialect-vp.js';

/** Builds temperature reports from the current heater state. */
export interface TemperatureReporter {
  report(kind: 'ok' | 'report' | 'wait', tool?: number, residency?: string): string;
}

export type LineErrorKind = 'line' | 'checksum' | 'nochecksum';
export type BusyKind = 'command' | 'dwell' | 'heating';

/** Heaters as a temperature report sees them. */
export interface HeaterSet {
  hotends: readonly Heater[];
  bed: Heater | null;
  chamber: Heater | null;
}

/** Option defaults that differ by dialect. */
export type DialectDefaults = Pick<ResolvedOptions, 'rxBufferSize' | 'plannerBlocks' | 'idleWaitMs' | 'moveTimeFactor'>;

/**
 * Everything the two firmware dialects do differently: their texts and the few behaviours that differ. The handlers
 * ask the dialect; they never test which dialect is active.
 */

export interface Dialect {
  readonly name: SimDialect;
  readonly defaults: DialectDefaults;
  /** Lines sent after a reset. */
  banner(options: ResolvedOptions, sdMounted: boolean): string[];
  /** Whether M112/M108/M410 are acted on as the bytes arrive (in the "RX interrupt"). */
  parsesEmergencyInRx(options: ResolvedOptions): boolean;
  /** An emergency command seen by the RX parser. */
  emergency(code: 'M112' | 'M108' | 'M410', fw: Firmware): void;
  /** Emergency commands acted on when the line is taken in (no emergency parser). True when the line is consumed. */
  inlineEmergency(command: string, fw: Firmware): boolean;
  resendRequest(n: number): string;
  lineError(kind: LineErrorKind, lastN: number, got: number | null): string;
  /** The keepalive text while a command of this kind blocks, or null for none. */
  busyText(kind: BusyKind, options: ResolvedOptions): string | null;
  /** Reply to an unknown command, or null for silence. */
  unknownCommand(cmd: ParsedCommand): string | null;

  // motion
  positionReport(pos: Position, stepperPos: Position): string;
  /** M114: the report is the ok itself (VP) or a line before the ok. */
  reportPosition(fw: Firmware, running: Running): void;
  /** Time G28 takes for the longest axis distance (ms). */
  homingMs(distance: number, options: ResolvedOptions): number;
  /** Whether G28 reports the position when done. */
  readonly homingReportsPosition: boolean;
  toolSelected(tool: number): string;
  invalidTool(tool: number): string;

  // thermal
  tempReport(
    kind: 'ok' | 'report' | 'wait',
    heaters: HeaterSet,
    tool: number,
    options: ResolvedOptions,
    residency?: string,
  ): string;
  /** Reply line while M109/M190/M191 waits. */
  heatingReport(heater: Heater, thermal: TemperatureReporter, tool: number, residency?: string): string;
  /** TEMP_RESIDENCY_TIME in seconds. */
  residencySeconds(options: ResolvedOptions): number;
  /** The S (and for the waiting forms R) value of M104/M109/M140/M190/M141/M191. */
  targetParams(cmd: ParsedCommand, wait: boolean): { s: number | undefined; r: number | undefined };
  /** Whether M105's report follows an ok already sent (okBeforeCommandOutput). */
  okBeforeTempReport(options: ResolvedOptions): boolean;

  // system
  shutdown(fw: Firmware): void;
  keepaliveReport(seconds: number): string | null;
  firmwareInfo(options: ResolvedOptions, extruders: number): string;
  capabilities(options: ResolvedOptions): {
    base: ReadonlyArray<readonly [string, boolean]>;
    derived: Record<string, boolean>;
  };
  displayMessage(text: string): string | null;
  restart(fw: Firmware, cmd: ParsedCommand, running: Running): void;
  /** Commands only this dialect knows (the VP's `version`). True when handled. */
  extraCommand(cmd: ParsedCommand, fw: Firmware, running: Running): boolean;

  // SD card
  sdInit(mounted: boolean): string;
  sdReleased(): string | null;
  sdNoMedia(): string | null;
  sdListLine(file: SdListing, timestamp: string | null, long: boolean): string;
  sdOpening(arg: string): string | null;
  sdOpened(file: SdListing, name: string, size: number): string;
  sdSaved(): string;
  sdDeleted(ok: boolean, name: string): string | null;
}

export function dialectFor(name: SimDialect): Dialect {
  return name === 'octoprint-vp' ? new VirtualPrinterDialect() : new MarlinDialect();
}
