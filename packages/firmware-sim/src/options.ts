import { type SimClock } from './clock.js';
import { dialectFor } from './dialect.js';

export type SimDialect = 'marlin' | 'octoprint-vp';

/** Options of {@link MarlinSim}; every field is optional. */
export interface MarlinSimOptions {
  /** `marlin` (exact Marlin 2.1 strings, default) or `octoprint-vp` (OctoPrint virtual printer strings). */
  dialect?: SimDialect;
  /** Time source; default a new RealClock. */
  clock?: SimClock;
  /** Number of hotends (default 1). */
  extruders?: number;
  heatedBed?: boolean;
  heatedChamber?: boolean;
  /** SD support compiled in (default true). Without it the SD commands are unknown. */
  sdSupport?: boolean;
  /** SD card inserted (default true). */
  sdCard?: boolean;
  /** In-memory SD card: path (may contain `/`) to content. */
  sdFiles?: Record<string, string>;
  /** Folder backing the SD card (read and written). Takes precedence over `sdFiles`. */
  sdFolder?: string;
  /** Overrides for the M115 `Cap:` lines (name to enabled). Names not in the default list are appended. */
  capabilities?: Record<string, boolean>;
  /** Send `Cap:` lines at all (EXTENDED_CAPABILITIES_REPORT, default true). */
  extendedCapabilities?: boolean;
  /** RX buffer size in bytes (default 127). */
  rxBufferSize?: number;
  /** Command ring slots, BUFSIZE (default 4). */
  bufsize?: number;
  /** Planner ring size, BLOCK_BUFFER_SIZE (default 16; one slot stays empty as in Marlin, so 15 usable). */
  plannerBlocks?: number;
  /** Boot banner when the port opens / DTR toggles (default true). `false` = native USB, no banner. */
  resetOnOpen?: boolean;
  /** Boot time in ms during which received bytes are dropped (default 0: banner at once). */
  bootMs?: number;
  /** ADVANCED_OK: `ok N<n> P<free blocks> B<free slots>` (default false). */
  advancedOk?: boolean;
  /** Repetier style: `ok` before the command's output (default false). */
  okBeforeCommandOutput?: boolean;
  /** EMERGENCY_PARSER: M112/M108/M410 are acted on as soon as they arrive (default false). */
  emergencyParser?: boolean;
  /** Send `wait` after this many ms without incoming data while idle (NO_TIMEOUTS; 0 = off; VP default 1000). */
  idleWaitMs?: number;
  /** Host keepalive interval in seconds (M113, default 2). */
  keepaliveInterval?: number;
  /** VP dialect: send busy lines during G4/M109 (`sendBusy`, default false). Marlin always sends them. */
  sendBusy?: boolean;
  /** Heating rate in °C/s (default 10). */
  heatingRate?: number;
  /** Cooling rate in °C/s (default 2). */
  coolingRate?: number;
  /** Ambient temperature in °C (default 21.3). */
  ambient?: number;
  /** M109/M190 done when within this many °C of the target (TEMP_WINDOW, default 1). */
  tempWindow?: number;
  /** Seconds to stay in the window before M109/M190 return (TEMP_RESIDENCY_TIME; default 0, `W:` shown if > 0). */
  tempResidencyTime?: number;
  /** MAXTEMP per heater kind (defaults: hotend 275, bed 150, chamber 100). */
  maxTemp?: { hotend?: number; bed?: number; chamber?: number };
  /** MINTEMP (default 5). */
  minTemp?: number;
  /** Scale of move durations (default 1; VP default 0.1). */
  moveTimeFactor?: number;
  /** Extra time G28 takes, in ms (default 0; the homing move itself is timed from the distance). */
  homingMs?: number;
  /** Seed for the noise fault's PRNG (default 1). */
  seed?: number;
  firmwareVersion?: string;
  machineType?: string;
  uuid?: string;
}

export { DEFAULT_CAPABILITIES, VP_CAPABILITIES } from './capabilities.js';

export type ResolvedOptions = Required<
  Omit<MarlinSimOptions, 'clock' | 'sdFiles' | 'sdFolder' | 'capabilities' | 'maxTemp'>
> & {
  sdFiles: Record<string, string>;
  sdFolder: string | undefined;
  capabilities: Record<string, boolean>;
  maxTemp: { hotend: number; bed: number; chamber: number };
};

export function resolveOptions(options: MarlinSimOptions): ResolvedOptions {
  const defaults = dialectFor(options.dialect ?? 'marlin').defaults;
  return {
    dialect: options.dialect ?? 'marlin',
    extruders: Math.max(1, Math.floor(options.extruders ?? 1)),
    heatedBed: options.heatedBed ?? true,
    heatedChamber: options.heatedChamber ?? false,
    sdSupport: options.sdSupport ?? true,
    sdCard: options.sdCard ?? true,
    sdFiles: options.sdFiles ?? {},
    sdFolder: options.sdFolder,
    capabilities: options.capabilities ?? {},
    extendedCapabilities: options.extendedCapabilities ?? true,
    rxBufferSize: options.rxBufferSize ?? defaults.rxBufferSize,
    bufsize: options.bufsize ?? 4,
    plannerBlocks: options.plannerBlocks ?? defaults.plannerBlocks,
    resetOnOpen: options.resetOnOpen ?? true,
    bootMs: options.bootMs ?? 0,
    advancedOk: options.advancedOk ?? false,
    okBeforeCommandOutput: options.okBeforeCommandOutput ?? false,
    emergencyParser: options.emergencyParser ?? false,
    idleWaitMs: options.idleWaitMs ?? defaults.idleWaitMs,
    keepaliveInterval: options.keepaliveInterval ?? 2,
    sendBusy: options.sendBusy ?? false,
    heatingRate: options.heatingRate ?? 10,
    coolingRate: options.coolingRate ?? 2,
    ambient: options.ambient ?? 21.3,
    tempWindow: options.tempWindow ?? 1,
    tempResidencyTime: options.tempResidencyTime ?? 0,
    maxTemp: {
      hotend: options.maxTemp?.hotend ?? 275,
      bed: options.maxTemp?.bed ?? 150,
      chamber: options.maxTemp?.chamber ?? 100,
    },
    minTemp: options.minTemp ?? 5,
    moveTimeFactor: options.moveTimeFactor ?? defaults.moveTimeFactor,
    homingMs: options.homingMs ?? 0,
    seed: options.seed ?? 1,
    firmwareVersion: options.firmwareVersion ?? '2.1.2.1',
    machineType: options.machineType ?? '3D Printer',
    uuid: options.uuid ?? 'cede2a2f-41a2-4748-9b12-c55c62f367ff',
  };
}
