import type { BusyKind, Dialect, HeaterSet, LineErrorKind } from './dialect.js';
import type { Firmware } from './firmware.js';
import { num, type ParsedCommand } from './gcode.js';
import { VP_CAPABILITIES } from './capabilities.js';
import type { ResolvedOptions } from './options.js';
import type { SdListing } from './sd.js';
import type { Heater } from './thermal.js';
import { f2, type Position, type Running } from './types.js';

/** OctoPrint 1.11's virtual printer: its texts, and its looser handling of M112, M999, G28 and heat-up waits. */
export class VirtualPrinterDialect implements Dialect {
  readonly name = 'octoprint-vp';
  /** The VP's small RX buffer and planner, its NO_TIMEOUTS `wait`, and its fast moves. */
  readonly defaults = { rxBufferSize: 64, plannerBlocks: 5, idleWaitMs: 1000, moveTimeFactor: 0.1 };
  readonly homingReportsPosition = false;

  banner(_options: ResolvedOptions, sdMounted: boolean): string[] {
    return ['start', 'Marlin: Virtual Marlin!', '\x80', sdMounted ? 'SD card ok' : 'SD init fail'];
  }

  parsesEmergencyInRx(): boolean {
    return true;
  }

  emergency(code: 'M112' | 'M108' | 'M410', fw: Firmware): void {
    if (code === 'M112' && fw.mode !== 'killed') this.shutdown(fw);
  }

  inlineEmergency(): boolean {
    return false;
  }

  resendRequest(n: number): string {
    return `Resend:${n}`;
  }

  lineError(kind: LineErrorKind, lastN: number, got: number | null): string {
    const text =
      kind === 'line'
        ? `expected line ${lastN + 1} got ${got ?? ''}`
        : kind === 'checksum'
          ? 'Checksum mismatch'
          : 'Missing checksum';
    return `Error: ${text}`;
  }

  busyText(kind: BusyKind, options: ResolvedOptions): string | null {
    if (kind === 'command' || !options.sendBusy) return null;
    return kind === 'dwell' ? 'busy:processing' : 'echo:busy: processing';
  }

  unknownCommand(cmd: ParsedCommand): string | null {
    return cmd.letter === 'F' ? `Error: Unknown command F` : null;
  }

  positionReport(p: Position): string {
    const line = `X:${f2(p.x)} Y:${f2(p.y)} Z:${f2(p.z)} E:${f2(p.e)} Count: A:${Math.round(p.x * 100)} B:${Math.round(p.y * 100)} C:${Math.round(p.z * 100)}`;
    return `ok ${line}`;
  }

  reportPosition(fw: Firmware, running: Running): void {
    running.skipOk = true;
    fw.sendOk(fw.motion.positionReport());
  }

  homingMs(): number {
    return 0;
  }

  toolSelected(tool: number): string {
    return `Active Extruder: ${tool}`;
  }

  invalidTool(tool: number): string {
    return `echo:T${tool} Invalid extruder `;
  }

  tempReport(kind: 'ok' | 'report' | 'wait', { hotends, bed, chamber }: HeaterSet, tool: number): string {
    const vpt = (h: Heater): string => `${f2(h.current)}/ ${f2(h.target)}`;
    const parts: string[] = [];
    const active = hotends[tool] ?? hotends[0];
    if (hotends.length > 1) {
      if (active) parts.push(`T:${vpt(active)}`);
      hotends.forEach((h, i) => parts.push(`T${i}:${vpt(h)}`));
    } else if (active) parts.push(`T:${vpt(active)}`);
    if (bed) parts.push(`B:${vpt(bed)}`);
    if (chamber) parts.push(`C:${vpt(chamber)}`);
    const body = `${parts.join(' ')} @:64`;
    return kind === 'ok' ? `ok ${body}` : body;
  }

  heatingReport(heater: Heater): string {
    const letter = heater.kind === 'hotend' ? 'T' : heater.kind === 'bed' ? 'B' : 'C';
    return `${letter}:${f2(heater.current)}`;
  }

  residencySeconds(): number {
    return 0;
  }

  targetParams(cmd: ParsedCommand): { s: number | undefined; r: number | undefined } {
    // The VP only takes whole-number targets and has no R.
    return { s: /^\d+$/.test(cmd.params.get('S') ?? '') ? num(cmd, 'S') : undefined, r: undefined };
  }

  okBeforeTempReport(): boolean {
    return false;
  }

  shutdown(fw: Firmware): void {
    fw.sendLine('echo:EMERGENCY SHUTDOWN DETECTED. KILLED.');
    fw.halt();
  }

  keepaliveReport(): string | null {
    return null;
  }

  firmwareInfo(): string {
    return 'FIRMWARE_NAME:Virtual Marlin 1.0 PROTOCOL_VERSION:1.0';
  }

  capabilities(options: ResolvedOptions): {
    base: ReadonlyArray<readonly [string, boolean]>;
    derived: Record<string, boolean>;
  } {
    return { base: VP_CAPABILITIES, derived: { CHAMBER_TEMPERATURE: options.heatedChamber } };
  }

  displayMessage(text: string): string | null {
    return `echo:${text}`;
  }

  restart(fw: Firmware, _cmd: ParsedCommand, running: Running): void {
    fw.sendLine('Resend: 1');
    fw.sendOk('ok');
    running.skipOk = true;
  }

  extraCommand(cmd: ParsedCommand, fw: Firmware, running: Running): boolean {
    if (cmd.text.trim().toLowerCase() !== 'version') return false;
    fw.sendLine('OctoPrint VirtualPrinter v1.11.2');
    running.skipOk = true;
    return true;
  }

  sdInit(mounted: boolean): string {
    return mounted ? 'SD card ok' : 'SD init fail';
  }

  sdReleased(): string | null {
    return null;
  }

  sdNoMedia(): string | null {
    return null;
  }

  sdListLine(file: SdListing, timestamp: string | null, long: boolean): string {
    return `${file.dosPath.toLowerCase()} ${file.size}${timestamp === null ? '' : ` ${timestamp}`}${long ? ` "${file.longName}"` : ''}`;
  }

  sdOpening(): string | null {
    return null;
  }

  sdOpened(file: SdListing, _name: string, size: number): string {
    return `File opened: ${file.longName}  Size: ${size}`;
  }

  sdSaved(): string {
    return 'Done saving file';
  }

  sdDeleted(): string | null {
    return null;
  }
}
