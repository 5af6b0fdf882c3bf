import type { BusyKind, Dialect, HeaterSet, LineErrorKind, TemperatureReporter } from './dialect.js';
import type { Firmware } from './firmware.js';
import { num, type ParsedCommand } from './gcode.js';
import { DEFAULT_CAPABILITIES } from './capabilities.js';
import type { ResolvedOptions } from './options.js';
import type { SdListing } from './sd.js';
import type { Heater } from './thermal.js';
import { f2, type Position } from './types.js';

const HOMING_FEEDRATE_MM_S = 50;
const STEPS_PER_MM = { x: 80, y: 80, z: 400 };
const LINE_ERROR_TEXT: Record<LineErrorKind, string> = {
  line: 'Line Number is not Last Line Number+1, Last Line: ',
  checksum: 'checksum mismatch, Last Line: ',
  nochecksum: 'No Checksum with line number, Last Line: ',
};

/** Marlin 2.1's exact strings and behaviour. */
export class MarlinDialect implements Dialect {
  readonly name = 'marlin';
  readonly defaults = { rxBufferSize: 127, plannerBlocks: 16, idleWaitMs: 0, moveTimeFactor: 1 };
  readonly homingReportsPosition = true;

  banner(options: ResolvedOptions, sdMounted: boolean): string[] {
    const lines = [
      'start',
      'echo: External Reset',
      `Marlin ${options.firmwareVersion}`,
      'echo: Last Updated: 2024-01-01 | Author: (none, default config)',
      'echo: Compiled: Jan  1 2024',
      'echo: Free Memory: 4937  PlannerBufferBytes: 1408',
      'echo:  G21    ; Units in mm (mm)',
      'echo:  M149 C ; Units in Celsius',
      'echo:; Steps per unit:',
      'echo:  M92 X80.00 Y80.00 Z400.00 E93.00',
    ];
    if (options.sdSupport) lines.push(sdMounted ? 'echo:SD card ok' : 'echo:No SD card');
    return lines;
  }

  parsesEmergencyInRx(options: ResolvedOptions): boolean {
    return options.emergencyParser;
  }

  emergency(code: 'M112' | 'M108' | 'M410', fw: Firmware): void {
    if (code === 'M112') fw.kill('echo:M112 Shutdown');
    else if (code === 'M108') fw.thermal.cancelWait();
    else fw.motion.quickStop();
  }

  inlineEmergency(command: string, fw: Firmware): boolean {
    if (fw.options.emergencyParser || command[0] !== 'M') return false;
    if (command.startsWith('M108')) fw.thermal.cancelWait();
    else if (command.startsWith('M112')) {
      fw.kill('echo:M112 Shutdown');
      return true;
    } else if (command.startsWith('M410')) fw.motion.quickStop();
    return false;
  }

  resendRequest(n: number): string {
    return `Resend: ${n}`;
  }

  lineError(kind: LineErrorKind, lastN: number): string {
    return `Error:${LINE_ERROR_TEXT[kind]}${lastN}`;
  }

  busyText(_kind: BusyKind): string | null {
    return 'echo:busy: processing';
  }

  unknownCommand(cmd: ParsedCommand): string | null {
    return `echo:Unknown command: "${cmd.text}"`;
  }

  positionReport(p: Position, sp: Position): string {
    return `X:${f2(p.x)} Y:${f2(p.y)} Z:${f2(p.z)} E:${f2(p.e)} Count X:${Math.round(sp.x * STEPS_PER_MM.x)} Y:${Math.round(sp.y * STEPS_PER_MM.y)} Z:${Math.round(sp.z * STEPS_PER_MM.z)}`;
  }

  reportPosition(fw: Firmware): void {
    fw.sendLine(fw.motion.positionReport());
  }

  homingMs(distance: number, options: ResolvedOptions): number {
    return (distance / HOMING_FEEDRATE_MM_S) * 1000 + options.homingMs;
  }

  toolSelected(tool: number): string {
    return `echo:Active Extruder: ${tool}`;
  }

  invalidTool(tool: number): string {
    return `echo:T${tool} Invalid extruder`;
  }

  tempReport(
    kind: 'ok' | 'report' | 'wait',
    { hotends, bed, chamber }: HeaterSet,
    tool: number,
    options: ResolvedOptions,
    residency?: string,
  ): string {
    const mt = (h: Heater): string => `${f2(h.current)} /${f2(h.target)}`;
    const w = options.tempWindow;
    let s = '';
    const active = hotends[tool] ?? hotends[0];
    if (active) s += ` T:${mt(active)}`;
    if (bed) s += ` B:${mt(bed)}`;
    if (chamber) s += ` C:${mt(chamber)}`;
    if (hotends.length > 1) hotends.forEach((h, i) => (s += ` T${i}:${mt(h)}`));
    if (active) s += ` @:${active.power(w)}`;
    if (bed) s += ` B@:${bed.power(w)}`;
    if (chamber) s += ` C@:${chamber.power(w)}`;
    if (hotends.length > 1) hotends.forEach((h, i) => (s += ` @${i}:${h.power(w)}`));
    if (residency !== undefined) s += ` W:${residency}`;
    if (kind === 'ok') return options.okBeforeCommandOutput ? s.slice(1) : `ok${s}`;
    return s;
  }

  heatingReport(heater: Heater, thermal: TemperatureReporter, tool: number, residency?: string): string {
    return thermal.report('wait', heater.kind === 'hotend' ? heater.index : tool, residency);
  }

  residencySeconds(options: ResolvedOptions): number {
    return options.tempResidencyTime;
  }

  targetParams(cmd: ParsedCommand, wait: boolean): { s: number | undefined; r: number | undefined } {
    return { s: num(cmd, 'S'), r: wait ? num(cmd, 'R') : undefined };
  }

  okBeforeTempReport(options: ResolvedOptions): boolean {
    return options.okBeforeCommandOutput;
  }

  shutdown(fw: Firmware): void {
    fw.kill('echo:M112 Shutdown');
  }

  keepaliveReport(seconds: number): string | null {
    return `echo:M113 S${seconds}`;
  }

  firmwareInfo(options: ResolvedOptions, extruders: number): string {
    return `FIRMWARE_NAME:Marlin ${options.firmwareVersion} (Jan  1 2024 12:00:00) SOURCE_CODE_URL:github.com/MarlinFirmware/Marlin PROTOCOL_VERSION:1.0 MACHINE_TYPE:${options.machineType} EXTRUDER_COUNT:${extruders} UUID:${options.uuid}`;
  }

  capabilities(options: ResolvedOptions): {
    base: ReadonlyArray<readonly [string, boolean]>;
    derived: Record<string, boolean>;
  } {
    return {
      base: DEFAULT_CAPABILITIES,
      derived: {
        SDCARD: options.sdSupport,
        SD_WRITE: options.sdSupport,
        AUTOREPORT_SD_STATUS: options.sdSupport,
        LONG_FILENAME: options.sdSupport,
        EXTENDED_M20: options.sdSupport,
        CHAMBER_TEMPERATURE: options.heatedChamber,
        EMERGENCY_PARSER: options.emergencyParser,
      },
    };
  }

  displayMessage(): string | null {
    return null;
  }

  restart(fw: Firmware, cmd: ParsedCommand): void {
    fw.mode = 'running';
    if (num(cmd, 'S') === 1 || cmd.params.get('S') === '') return;
    fw.intake.requestResend();
  }

  extraCommand(): boolean {
    return false;
  }

  sdInit(mounted: boolean): string {
    return mounted ? 'echo:SD card ok' : 'echo:No SD card';
  }

  sdReleased(): string | null {
    return 'echo:SD card released';
  }

  sdNoMedia(): string | null {
    return 'echo:No media';
  }

  sdListLine(file: SdListing, timestamp: string | null, long: boolean): string {
    return `${file.dosPath} ${file.size}${timestamp === null ? '' : ` ${timestamp}`}${long ? ` ${file.longName}` : ''}`;
  }

  sdOpening(arg: string): string | null {
    return `echo:Now fresh file: ${arg}`;
  }

  sdOpened(_file: SdListing, name: string, size: number): string {
    return `File opened: ${name} Size: ${size}`;
  }

  sdSaved(): string {
    return 'Done saving file.';
  }

  sdDeleted(ok: boolean, name: string): string | null {
    return ok ? `File deleted:${name}` : `Deletion failed, File: ${name}.`;
  }
}
