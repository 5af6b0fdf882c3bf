import { commandParameter } from './gcode-line.js';
import type { FirmwareInfo, HeaterReadings } from './printer-comm.types.js';
import { canonicalHeaters, parseCapability, parseFirmwareInfo, parseTemperatureLine } from './reply-parsers.js';

const TARGET_COMMANDS = new Set(['M104', 'M109', 'M140', 'M190', 'M141', 'M191']);

/**
 * What the host knows about the firmware: its name and capabilities (M115), which auto-reports it was asked for,
 * the heaters (actual from reports, targets from reports and from the commands sent) and the selected tool.
 */
export class FirmwareModel {
  private readonly capabilities = new Map<string, boolean>();
  private name: string | undefined;
  /** The M115 reply arrived since the last sync started. */
  infoSeen = false;
  autoreportTemperature = false;
  autoreportSd = false;
  private readonly readings: HeaterReadings = {};
  private tool = 0;
  private previousTool = 0;
  private readonly invalid = new Set<number>();
  /** The Z of the last G0/G1 that named one, as OctoPrint tracks it (absolute or not); null until then. */
  currentZ: number | null = null;

  constructor(private readonly profileHasChamber: boolean) {}

  get heaters(): HeaterReadings {
    // Read on every snapshot: a plain copy of the flat records, a small fraction of structuredClone's cost.
    const copy: HeaterReadings = {};
    for (const [key, reading] of Object.entries(this.readings))
      copy[key] = { actual: reading.actual, target: reading.target };
    return copy;
  }

  get info(): FirmwareInfo {
    return { name: this.name ?? null, capabilities: Object.fromEntries(this.capabilities) };
  }

  /** `Cap:` lines from M115. */
  get capabilityMap(): ReadonlyMap<string, boolean> {
    return this.capabilities;
  }

  has(capability: string): boolean {
    return this.capabilities.get(capability) === true;
  }

  /** The active tool as last selected with `T<n>`. */
  get currentTool(): number {
    return this.tool;
  }

  /** Tools the firmware refused (`Invalid extruder`). */
  get invalidTools(): ReadonlySet<number> {
    return this.invalid;
  }

  /** Some heater has a target above room temperature (polls go faster then). */
  get heating(): boolean {
    return Object.values(this.readings).some((reading) => (reading.target ?? 0) > 25);
  }

  /** The commands that follow a sync: the SD card, and the auto-reports the capabilities offer (now expected). */
  syncFollowUps(): string[] {
    const followUps = ['M21'];
    if (this.has('AUTOREPORT_TEMP')) {
      followUps.push('M155 S2');
      this.autoreportTemperature = true;
    }
    if (this.has('AUTOREPORT_SD_STATUS')) {
      followUps.push('M27 S1');
      this.autoreportSd = true;
    }
    return followUps;
  }

  /** The connection ended: auto-reports must be asked for again, and the Z is unknown. */
  reset(): void {
    this.currentZ = null;
    this.autoreportTemperature = false;
    this.autoreportSd = false;
  }

  /** A sync starts: the M115 reply is awaited again. */
  awaitInfo(): void {
    this.infoSeen = false;
  }

  /** Host-side effects of sending a command; true when a heater target changed. */
  commandSent(command: string, code: string): boolean {
    if (TARGET_COMMANDS.has(code)) {
      const value = commandParameter(command, 'S') ?? commandParameter(command, 'R');
      if (value === undefined) return false;
      const tool = commandParameter(command, 'T') ?? this.tool;
      const key =
        code === 'M140' || code === 'M190' ? 'bed' : code === 'M141' || code === 'M191' ? 'chamber' : `tool${tool}`;
      const reading = this.readings[key] ?? { actual: null, target: null };
      this.readings[key] = { ...reading, target: value };
      return true;
    }
    if (code === 'G0' || code === 'G1') {
      this.currentZ = commandParameter(command, 'Z') ?? this.currentZ;
      return false;
    }
    if (code.startsWith('T')) {
      this.previousTool = this.tool;
      this.tool = Number(code.slice(1));
    }
    return false;
  }

  /** A temperature report; false when it named no heater this printer has. */
  readTemperatures(line: string): boolean {
    const parsed = canonicalHeaters(parseTemperatureLine(line), this.tool, this.hasChamber());
    if (parsed.size === 0) return false;
    for (const [key, reading] of parsed) {
      const previous = this.readings[key];
      this.readings[key] = {
        actual: reading.actual,
        target: reading.target === undefined ? (previous?.target ?? null) : reading.target,
      };
    }
    return true;
  }

  /** `Cap:` and `FIRMWARE_NAME:` lines; false for anything else. */
  readIdentity(line: string): boolean {
    const capability = parseCapability(line);
    if (capability !== undefined) {
      this.capabilities.set(capability.name, capability.enabled);
      return true;
    }
    if (!line.includes('NAME:')) return false;
    const info = parseFirmwareInfo(line);
    this.name = info['FIRMWARE_NAME'] ?? info['NAME'];
    this.infoSeen = true;
    this.capabilities.clear();
    return true;
  }

  /** `T3 Invalid extruder`: remembers the tool and returns the one to select again. */
  refuseTool(line: string): number {
    const match = /T(\d+)/.exec(line);
    if (match !== null) this.invalid.add(Number(match[1]));
    this.tool = this.previousTool;
    return this.previousTool;
  }

  private hasChamber(): boolean {
    return this.capabilities.get('CHAMBER_TEMPERATURE') === true || this.profileHasChamber;
  }
}
