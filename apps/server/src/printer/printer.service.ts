import { BadRequestException, ConflictException, Inject, Injectable, Logger, NotFoundException } from '@nestjs/common';
import {
  PRINTER_COMM,
  type HeaterReadings,
  type PrinterCommApi,
  type TemperatureSample,
} from '../comm/printer-comm.types.js';
import type { PrinterProfileConfig } from '../config/config.schema.js';
import { HotendConfigService } from '../config/config.service.js';
import { CommandQueueBudget } from './command-queue-budget.js';
import { formatGcodeNumber, PlaceholderError, substitutePlaceholders, toPercent } from './gcode-format.js';
import {
  AXES,
  type BedCommandDto,
  type ChamberCommandDto,
  type CustomControlsResponseDto,
  type FullPrinterStateResponseDto,
  type GcodeCommandDto,
  type PrinterErrorResponseDto,
  type PrinterStateDto,
  type PrinterStateQueryDto,
  type PrintheadCommandDto,
  type SdCommandDto,
  type SdStateDto,
  type TemperatureHistoryEntryDto,
  type TemperatureHistoryQueryDto,
  type TemperatureStateDto,
  type ToolCommandDto,
} from './printer.dto.js';

/** A heated part with its own endpoint besides the tools. */
export type Heater = 'bed' | 'chamber';

/** What a route needs before its body is even parsed (OctoPrint checks these first; see the guard). */
export type PrinterPrecondition = 'operational' | Heater | 'sd';

const NOT_OPERATIONAL = 'Printer is not operational';
const OFFSET_LIMIT = 50;
const TOOL_KEY = /^tool(\d+)$/;
const TRUE_VALUES = new Set(['true', 'yes', 'y', '1']);

const HEATER_LABEL: Record<Heater, string> = { bed: 'heated bed', chamber: 'heated chamber' };
const HEATER_GCODE: Record<Heater, string> = { bed: 'M140', chamber: 'M141' };

/** Which heater keys an endpoint shows. */
type HeaterFilter = (key: string) => boolean;

/** Most G-code lines one `/api/printer/command` request may carry, whatever the queue limit. */
export const MAX_COMMAND_LINES = 1000;

/**
 * The printer API's decisions: state checks (409), value checks (400) and the G-code each command becomes. Reads
 * come from the comm layer's cached state and never touch the port; commands are queued on it.
 */
@Injectable()
export class PrinterService {
  private readonly logger = new Logger('hotend.printer');
  /** Host-side temperature offsets (`tool0`, `bed`, ...), as OctoPrint keeps them; cleared when the printer goes away. */
  private readonly offsets = new Map<string, number>();
  private readonly offsetListeners = new Set<() => void>();
  private readonly queueBudget = new CommandQueueBudget(() => this.config.get().serial.commandQueueLimit);

  constructor(
    @Inject(PRINTER_COMM) private readonly comm: PrinterCommApi,
    private readonly config: HotendConfigService,
  ) {}

  private get profile(): PrinterProfileConfig {
    return this.config.get().printerProfile;
  }

  // -------------------------------------------------------------------------------------------------------------
  // Preconditions

  private get operational(): boolean {
    const operational = this.comm.status.flags.operational;
    // OctoPrint's offsets live on the comm object, so a new connection starts without them.
    if (!operational && this.offsets.size > 0) {
      this.offsets.clear();
      this.offsetsChanged();
    }
    return operational;
  }

  /** The host-side temperature offsets that are set (`{"tool0": 5}`), `{}` while the printer is not operational. */
  get temperatureOffsets(): Record<string, number> {
    return this.operational ? Object.fromEntries(this.offsets) : {};
  }

  /** Calls `listener` after every change of `temperatureOffsets`; returns the unsubscribe function. */
  onOffsetsChanged(listener: () => void): () => void {
    this.offsetListeners.add(listener);
    return () => this.offsetListeners.delete(listener);
  }

  private offsetsChanged(): void {
    for (const listener of this.offsetListeners) listener();
  }

  private get printing(): boolean {
    return this.comm.status.flags.printing;
  }

  private assertOperational(): void {
    if (!this.operational) throw new ConflictException(NOT_OPERATIONAL);
  }

  private assertHeater(heater: Heater): void {
    const present = heater === 'bed' ? this.profile.heatedBed : this.profile.heatedChamber;
    if (!present) throw new ConflictException(`Printer does not have a ${HEATER_LABEL[heater]}`);
  }

  private assertSdSupport(): void {
    if (!this.profile.sdSupport) throw new NotFoundException('SD support is disabled');
  }

  /** The checks OctoPrint makes before it parses a body; the printer precondition guard calls this. */
  assertPrecondition(precondition: PrinterPrecondition): void {
    switch (precondition) {
      case 'operational':
        return this.assertOperational();
      case 'bed':
      case 'chamber':
        this.assertOperational();
        return this.assertHeater(precondition);
      case 'sd': {
        this.assertSdSupport();
        const { paused } = this.comm.status.flags;
        if (!this.operational || this.printing || paused) {
          throw new ConflictException('Printer is not operational or currently busy');
        }
        return;
      }
    }
  }

  // -------------------------------------------------------------------------------------------------------------
  // State

  getFullState(query: PrinterStateQueryDto): FullPrinterStateResponseDto {
    this.assertOperational();
    const excluded = new Set((query.exclude ?? '').split(',').map((part) => part.trim()));
    const state: FullPrinterStateResponseDto = {};
    if (!excluded.has('temperature')) state.temperature = this.temperatureState(query, this.profileHeaters());
    if (!excluded.has('sd') && this.profile.sdSupport) state.sd = { ready: this.comm.sd.ready };
    if (!excluded.has('state')) state.state = this.printerState();
    return state;
  }

  getToolState(query: TemperatureHistoryQueryDto): TemperatureStateDto {
    this.assertOperational();
    return this.temperatureState(query, (key) => TOOL_KEY.test(key));
  }

  getHeaterState(heater: Heater, query: TemperatureHistoryQueryDto): TemperatureStateDto {
    this.assertOperational();
    this.assertHeater(heater);
    return this.temperatureState(query, (key) => key === heater);
  }

  getSdState(): SdStateDto {
    this.assertSdSupport();
    return { ready: this.comm.sd.ready };
  }

  getErrorInfo(): PrinterErrorResponseDto {
    const error = this.comm.lastError;
    if (error === undefined) return { error: '', reason: '' };
    return {
      error: error.error,
      reason: error.reason,
      consequence: error.consequence,
      faq: error.faq,
      logs: [...error.logs],
    };
  }

  getCustomControls(): CustomControlsResponseDto {
    return { controls: this.profile.controls };
  }

  private printerState(): PrinterStateDto {
    const { text, flags, error } = this.comm.status;
    return { text, flags: { ...flags }, error: error ?? '' };
  }

  /** Tools the firmware reports, plus bed and chamber when the profile has them (OctoPrint drops the others). */
  private profileHeaters(): HeaterFilter {
    const { heatedBed, heatedChamber } = this.profile;
    return (key) => TOOL_KEY.test(key) || (key === 'bed' && heatedBed) || (key === 'chamber' && heatedChamber);
  }

  private temperatureState(query: TemperatureHistoryQueryDto, include: HeaterFilter): TemperatureStateDto {
    const state: TemperatureStateDto = {};
    for (const [key, reading] of Object.entries(this.comm.heaters)) {
      if (include(key))
        state[key] = { actual: reading.actual, target: reading.target, offset: this.offsets.get(key) ?? 0 };
    }
    if (TRUE_VALUES.has((query.history ?? '').toLowerCase())) {
      state.history = this.history(query.limit).map((sample) => historyEntry(sample, include));
    }
    return state;
  }

  /** The last `limit` samples, oldest first; no limit, 0 or a non-number: all of them (the seed's wording). */
  private history(limit: string | undefined): readonly TemperatureSample[] {
    const samples = this.comm.temperatureHistory;
    const count = limit !== undefined && /^\d+$/.test(limit) ? Number(limit) : 0;
    return count > 0 ? samples.slice(-count) : samples;
  }

  // -------------------------------------------------------------------------------------------------------------
  // Commands

  issuePrintheadCommand(body: PrintheadCommandDto): void {
    if (body.command === 'feedrate') {
      this.assertOperational();
      return this.send([`M220 S${this.percent(body.factor)}`]);
    }
    if (!this.operational || this.printing) {
      throw new ConflictException('Printer is not operational or currently printing');
    }
    if (body.command === 'home') {
      const axes = AXES.filter((axis) => body.axes?.includes(axis));
      const targets = axes.map((axis) => `${axis.toUpperCase()}0`);
      return this.send(['G91', ['G28', ...targets].join(' '), 'G90']);
    }
    this.jog(body);
  }

  private jog(body: PrintheadCommandDto): void {
    const moves = AXES.flatMap((axis) => {
      const amount = body[axis];
      return amount === undefined || amount === null ? [] : [{ axis, amount }];
    });
    if (moves.length === 0) throw new BadRequestException('jog needs at least one of x, y, z');
    const words = moves.map(({ axis, amount }) => `${axis.toUpperCase()}${formatGcodeNumber(amount)}`);
    const speed = this.jogSpeed(
      body.speed,
      moves.map(({ axis }) => axis),
    );
    if (speed !== undefined) words.push(`F${formatGcodeNumber(speed)}`);
    const move = `G0 ${words.join(' ')}`;
    this.send(body.absolute === true ? ['G90', move] : ['G91', move, 'G90']);
  }

  /** OctoPrint: absent/null → slowest profile speed of the moved axes; false, true or 0 → no F; else the value. */
  private jogSpeed(speed: number | boolean | null | undefined, axes: readonly ('x' | 'y' | 'z')[]): number | undefined {
    if (speed === undefined || speed === null) return Math.min(...axes.map((axis) => this.profile.axes[axis].speed));
    if (typeof speed === 'boolean' || speed === 0) return undefined;
    if (speed < 0) throw new BadRequestException('speed is invalid: must not be negative');
    return speed;
  }

  issueToolCommand(body: ToolCommandDto): void {
    switch (body.command) {
      case 'target': {
        const targets = this.toolValues(body.targets, 'targets', (value) => this.checkTarget('tool', value));
        const multiTool = this.profile.extruder.count > 1 && !this.profile.extruder.sharedNozzle;
        return this.send(
          targets.map(([tool, value]) => `M104 ${multiTool ? `T${tool} ` : ''}S${formatGcodeNumber(value)}`),
        );
      }
      case 'offset': {
        const offsets = this.toolValues(body.offsets, 'offsets', (value) => this.checkOffset(value, 'offsets'));
        for (const [tool, value] of offsets) this.offsets.set(`tool${tool}`, value);
        return this.offsetsChanged();
      }
      case 'select': {
        if (this.printing) throw new ConflictException('Printer is currently printing');
        return this.send([`T${this.toolIndex(body.tool ?? '', 'tool is invalid')}`]);
      }
      case 'extrude': {
        if (this.printing) throw new ConflictException('Printer is currently printing');
        const amount = body.amount ?? 0;
        const maxSpeed = this.profile.axes.e.speed;
        if (body.speed !== undefined && body.speed <= 0) throw new BadRequestException('speed is invalid');
        const speed = Math.trunc(Math.min(body.speed ?? maxSpeed, maxSpeed));
        return this.send(['G91', 'M83', `G1 E${formatGcodeNumber(amount)} F${speed}`, 'M82', 'G90']);
      }
      case 'flowrate':
        return this.send([`M221 S${this.percent(body.factor)}`]);
    }
  }

  issueHeaterCommand(heater: Heater, body: BedCommandDto | ChamberCommandDto): void {
    if (body.command === 'target') {
      const target = this.checkTarget(heater, body.target ?? 0);
      return this.send([`${HEATER_GCODE[heater]} S${formatGcodeNumber(target)}`]);
    }
    this.offsets.set(heater, this.checkOffset(body.offset ?? 0, 'offset'));
    this.offsetsChanged();
  }

  issueSdCommand(body: SdCommandDto): void {
    const { ready } = this.comm.sd;
    if (body.command === 'init') {
      // Already initialised: nothing to do, as in OctoPrint.
      if (!ready) this.send(['M21']);
      return;
    }
    if (!ready) throw new ConflictException('SD card has not been initialized');
    this.send([body.command === 'refresh' ? 'M20' : 'M22']);
  }

  sendCommands(body: GcodeCommandDto): void {
    // `null` counts as absent, as the DTO's @IsOptional() lets it through.
    const command = body.command ?? undefined;
    const commands = body.commands ?? undefined;
    if (command !== undefined && commands !== undefined) {
      throw new BadRequestException("'command' and 'commands' are mutually exclusive");
    }
    const lines = commands ?? (command === undefined ? undefined : [command]);
    if (lines === undefined) throw new BadRequestException("Need one of 'command' or 'commands'");
    if (lines.length > MAX_COMMAND_LINES) {
      throw new BadRequestException(`commands: at most ${MAX_COMMAND_LINES} lines per request`);
    }
    const parameters = body.parameters ?? {};
    const substitute = Object.keys(parameters).length > 0;
    const gcode = lines.map((line, index) => {
      // One request line is one G-code line: a newline inside would smuggle in more commands unseen.
      if (/[\r\n\0]/.test(line)) throw new BadRequestException(`commands[${index}] contains a line break`);
      try {
        return (substitute ? substitutePlaceholders(line, parameters) : line).trim();
      } catch (error) {
        if (error instanceof PlaceholderError) throw new BadRequestException(`commands[${index}]: ${error.message}`);
        throw error;
      }
    });
    const nonEmpty = gcode.filter((line) => line !== '');
    if (nonEmpty.length > 0) this.send(nonEmpty);
  }

  // -------------------------------------------------------------------------------------------------------------
  // Value checks

  /** Entries of a `{toolN: value}` map with N a tool of the profile and a valid value, or a 400 naming the problem. */
  private toolValues(
    values: Record<string, unknown> | undefined,
    field: string,
    check: (value: number) => number,
  ): [number, number][] {
    return Object.entries(values ?? {}).map(([key, value]) => {
      const tool = this.toolIndex(key, `${field} contains invalid tool ${JSON.stringify(key)}`);
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        throw new BadRequestException(`${field} contains invalid value for ${key}`);
      }
      return [tool, check(value)];
    });
  }

  private toolIndex(key: string, message: string): number {
    const match = TOOL_KEY.exec(key);
    const index = match?.[1] === undefined ? Number.NaN : Number(match[1]);
    const count = this.profile.extruder.count;
    if (!(index < count)) {
      throw new BadRequestException(
        `${message} (the printer has ${count === 1 ? 'tool0 only' : `tool0..tool${count - 1}`})`,
      );
    }
    return index;
  }

  private checkTarget(heater: 'tool' | Heater, value: number): number {
    const { toolMax, bedMax, chamberMax } = this.profile.temperatures;
    const max = heater === 'tool' ? toolMax : heater === 'bed' ? bedMax : chamberMax;
    if (value < 0 || value > max) {
      throw new BadRequestException(`target ${value} is outside the supported range 0..${max} °C for the ${heater}`);
    }
    return value;
  }

  private checkOffset(value: number, field: string): number {
    if (Math.abs(value) > OFFSET_LIMIT) {
      throw new BadRequestException(`${field} is invalid: ${value} is outside -${OFFSET_LIMIT}..${OFFSET_LIMIT}`);
    }
    return value;
  }

  private percent(factor: number | undefined): number {
    const percent = toPercent(factor ?? 0);
    if (percent < 1) throw new BadRequestException('factor is invalid: must be at least 1 %');
    return percent;
  }

  /**
   * Queues lines on the printer; the answer does not wait for the firmware (as OctoPrint: 204 means queued), but a
   * full queue refuses them (429) instead of growing without end.
   */
  private send(lines: string[]): void {
    const release = this.queueBudget.reserve(lines.length);
    this.comm
      .send(lines)
      .catch((error: unknown) => {
        this.logger.warn(
          `Could not send ${lines.join(' | ')}: ${error instanceof Error ? error.message : String(error)}`,
        );
      })
      .finally(release);
  }
}

function historyEntry(sample: TemperatureSample, include: HeaterFilter): TemperatureHistoryEntryDto {
  const entry: TemperatureHistoryEntryDto = { time: sample.time };
  for (const [key, reading] of Object.entries(sample.heaters satisfies HeaterReadings)) {
    if (include(key)) entry[key] = { actual: reading.actual, target: reading.target };
  }
  return entry;
}
