import { checksum } from './checksum.js';
import { RealClock, type SimClock } from './clock.js';
import { num, parseCommand, strtol, type ParsedCommand } from './gcode.js';
import {
  DEFAULT_CAPABILITIES,
  VP_CAPABILITIES,
  resolveOptions,
  type MarlinSimOptions,
  type ResolvedOptions,
} from './options.js';
import { FolderSdStore, MemorySdStore, dosListing, fatTimestamp, type SdListing, type SdStore } from './sd.js';
import { FATAL_TEXT, type FatalKind, type HeaterRef, runDebugCommand, SimFaults } from './faults.js';
import { Heater, type HeaterKind } from './thermal.js';

/** One command the simulator actually executed (the oracle). */
export interface ExecutedCommand {
  /** N of the line, or null for an unnumbered line or a command from the SD card. */
  lineNumber: number | null;
  /** The command with N and checksum removed, e.g. `G1 X10`. */
  command: string;
  /** Clock time when it started to execute (ms). */
  time: number;
  source: 'serial' | 'sd';
}

export type { FatalKind, HeaterRef } from './faults.js';
export { SimFaults } from './faults.js';
export type SimState = 'booting' | 'running' | 'stopped' | 'killed';

export interface Position {
  x: number;
  y: number;
  z: number;
  e: number;
}

export interface HeaterState {
  actual: number;
  target: number;
}

export interface SdState {
  mounted: boolean;
  selected: string | null;
  printing: boolean;
  paused: boolean;
  pos: number;
  size: number;
  saving: string | null;
}

/** A command waiting in (or executing from) the command ring. */
interface RingCommand {
  line: string;
  lineNumber: number | null;
  source: 'serial' | 'sd';
  /** Internal job (busy fault): runs instead of a parsed command, no ok, not logged. */
  internal?: { gen: () => Generator<number, void, void>; busy: string | null };
}

interface Running {
  cmd: RingCommand;
  gen: Generator<number, void, void>;
  started: number;
  wake: number;
  skipOk: boolean;
  okSent: boolean;
  busyText: string | null;
  keepaliveTimer: unknown;
  waiting: boolean;
}

interface PlannerBlock {
  end: number;
  pos: Position;
}

const MAX_CMD_SIZE = 96;
const HOTEND_OVERSHOOT = 15;
const BED_OVERSHOOT = 10;
const DEFAULT_FEEDRATE = 1500;
const HOMING_FEEDRATE_MM_S = 50;
const STEPS_PER_MM = { x: 80, y: 80, z: 400 };

const STR_ERR_LINE_NO = 'Line Number is not Last Line Number+1, Last Line: ';
const STR_ERR_CHECKSUM_MISMATCH = 'checksum mismatch, Last Line: ';
const STR_ERR_NO_CHECKSUM = 'No Checksum with line number, Last Line: ';
const STR_ERR_STOPPED =
  'Printer stopped due to errors. Fix the error and use M999 to restart. (Temperature is reset. Set it after restarting)';
const STR_ERR_KILLED = 'Printer halted. kill() called!';

type LineErrorKind = 'line' | 'checksum' | 'nochecksum';

const f2 = (n: number): string => (Object.is(n, -0) ? 0 : n).toFixed(2);

/**
 * A Marlin 2.1 firmware imitation: bytes in ({@link receive}), text out ({@link onOutput}), time from a {@link SimClock}.
 * No I/O of its own.
 */
export class MarlinSim {
  readonly clock: SimClock;
  readonly options: ResolvedOptions;
  readonly faults: SimFaults;
  private readonly log: ExecutedCommand[] = [];
  private readonly outputListeners = new Set<(chunk: string) => void>();
  private readonly rxSpaceListeners = new Set<() => void>();
  private readonly disconnectListeners = new Set<() => void>();
  private readonly resetListeners = new Set<() => void>();
  private readonly sdStore: SdStore | null;

  private portOpen = false;
  private mode: SimState = 'running';
  private bootTimer: unknown = null;

  // serial intake
  private rx: Uint8Array;
  private rxHead = 0;
  private rxLen = 0;
  private lineBuf = '';
  private lineState: 'normal' | 'eol' | 'escape' = 'normal';
  private lastN = 0;
  private epLine = '';

  // command ring and execution
  private ring: RingCommand[] = [];
  private priority: RingCommand[] = [];
  private running: Running | null = null;
  private wakeTimer: unknown = null;
  private pumping = false;
  private repump = false;
  private waitCancelled = false;

  // motion
  private pos: Position = { x: 0, y: 0, z: 0, e: 0 };
  private stepperPos: Position = { x: 0, y: 0, z: 0, e: 0 };
  private planner: PlannerBlock[] = [];
  private feedrate = DEFAULT_FEEDRATE;
  private feedPercent = 100;
  private flowPercent: number[] = [];
  private relative = false;
  private relativeE = false;
  private activeTool = 0;

  // thermal
  private hotends: Heater[] = [];
  private bed: Heater | null = null;
  private chamber: Heater | null = null;
  private ambientTemp: number;
  private heatWaiting = false;

  // reports
  private tempInterval = 0;
  private tempTimer: unknown = null;
  private sdInterval = 0;
  private sdTimer: unknown = null;
  private keepalive: number;
  private idleTimer: unknown = null;
  private silenceTimer: unknown = null;
  private rxStallTimer: unknown = null;

  // sd
  private sdMounted: boolean;
  private sdFile: { name: string; path: string; data: Buffer } | null = null;
  private sdPrinting = false;
  private sdPos = 0;
  private sdEof = false;
  private sdSaving: { name: string; path: string; chunks: string[] } | null = null;

  constructor(options: MarlinSimOptions = {}) {
    this.options = resolveOptions(options);
    this.clock = options.clock ?? new RealClock();
    this.faults = new SimFaults(this);
    this.faults.noise(0, this.options.seed);
    this.rx = new Uint8Array(Math.max(1, this.options.rxBufferSize));
    this.ambientTemp = this.options.ambient;
    this.keepalive = this.options.keepaliveInterval;
    this.sdStore = !this.options.sdSupport
      ? null
      : this.options.sdFolder
        ? new FolderSdStore(this.options.sdFolder)
        : new MemorySdStore(this.options.sdFiles);
    this.sdMounted = this.options.sdSupport && this.options.sdCard;
    this.initMachine();
  }

  // ---------------------------------------------------------------- public API

  get dialect(): 'marlin' | 'octoprint-vp' {
    return this.options.dialect;
  }

  private get vp(): boolean {
    return this.options.dialect === 'octoprint-vp';
  }

  /** Every command executed so far, in order (the oracle). */
  get executed(): readonly ExecutedCommand[] {
    return this.log;
  }

  get state(): SimState {
    return this.mode;
  }

  get isOpen(): boolean {
    return this.portOpen;
  }

  get lastLineNumber(): number {
    return this.lastN;
  }

  /** Free bytes in the RX buffer. */
  get rxFree(): number {
    return this.rx.length - this.rxLen;
  }

  /** Commands in the ring (including the executing one). */
  get queuedCommands(): number {
    return this.ring.length;
  }

  /** Moves in the planner (including the one being executed). */
  get plannerMoves(): number {
    this.prunePlanner();
    return this.planner.length;
  }

  /** True while a command is blocked (waiting for the planner, a heater, a dwell...). */
  get busy(): boolean {
    return this.running !== null;
  }

  get position(): Position {
    return { ...this.pos };
  }

  get activeExtruder(): number {
    return this.activeTool;
  }

  get feedratePercent(): number {
    return this.feedPercent;
  }

  get temperatures(): { tools: HeaterState[]; bed: HeaterState | null; chamber: HeaterState | null } {
    this.updateThermal();
    const h = (heater: Heater): HeaterState => ({ actual: heater.current, target: heater.target });
    return {
      tools: this.hotends.map(h),
      bed: this.bed ? h(this.bed) : null,
      chamber: this.chamber ? h(this.chamber) : null,
    };
  }

  get temperatureAutoreportInterval(): number {
    return this.tempInterval;
  }

  get sd(): SdState {
    return {
      mounted: this.sdMounted,
      selected: this.sdFile?.name ?? null,
      printing: this.sdPrinting,
      paused: this.sdFile !== null && !this.sdPrinting && this.sdPos > 0,
      pos: this.sdPos,
      size: this.sdFile?.data.length ?? 0,
      saving: this.sdSaving?.name ?? null,
    };
  }

  /** Files on the simulated card (long paths). */
  get sdFiles(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const entry of this.sdStore?.list() ?? [])
      out[entry.path] = this.sdStore?.read(entry.path)?.toString('latin1') ?? '';
    return out;
  }

  onOutput(listener: (chunk: string) => void): () => void {
    this.outputListeners.add(listener);
    return () => this.outputListeners.delete(listener);
  }

  /** Called when bytes left the RX buffer (room for more input). */
  onRxSpace(listener: () => void): () => void {
    this.rxSpaceListeners.add(listener);
    return () => this.rxSpaceListeners.delete(listener);
  }

  /** Called by the disconnect fault; transports close the connection with an error. */
  onDisconnect(listener: () => void): () => void {
    this.disconnectListeners.add(listener);
    return () => this.disconnectListeners.delete(listener);
  }

  /** Called on every reset (boot), before the banner. */
  onReset(listener: () => void): () => void {
    this.resetListeners.add(listener);
    return () => this.resetListeners.delete(listener);
  }

  /** The port was opened. With `resetOnOpen` the board resets: boot window, then the banner. */
  open(): void {
    this.portOpen = true;
    if (this.options.resetOnOpen) this.reset();
    else this.scheduleIdleWait();
  }

  /** The port was closed. The board keeps its state (a reset board boots again on the next open). */
  close(): void {
    this.portOpen = false;
    this.clock.clearTimeout(this.idleTimer);
    this.idleTimer = null;
  }

  /**
   * Bytes from the host. Returns how many were accepted into the RX buffer (0 when it is full: backpressure).
   * While booting, killed or silenced the bytes are accepted and dropped, as a UART would.
   */
  receive(data: Buffer | string): number {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
    if (bytes.length === 0) return 0;
    if (this.faults.rxStalledUntil > this.clock.now()) return 0;
    this.scheduleIdleWait();
    if (this.mode === 'booting' || this.mode === 'killed' || this.isSilenced()) return bytes.length;
    const accept = Math.min(bytes.length, this.rx.length - this.rxLen);
    for (let i = 0; i < accept; i++) {
      const c = bytes[i] ?? 0;
      this.rx[(this.rxHead + this.rxLen) % this.rx.length] = c;
      this.rxLen++;
      if (this.options.emergencyParser || this.vp) this.emergencyChar(c);
    }
    this.pump();
    return accept;
  }

  /** Full reset: banner, last N = 0, queues, planner, targets and reports cleared. */
  reset(): void {
    this.clearTimers();
    this.faults.unsilence();
    if (this.faults.rxStalledUntil > 0) this.stallRx(0);
    this.rxHead = 0;
    this.rxLen = 0;
    this.lineBuf = '';
    this.lineState = 'normal';
    this.epLine = '';
    this.lastN = 0;
    this.ring = [];
    this.priority = [];
    this.running = null;
    this.heatWaiting = false;
    this.planner = [];
    this.tempInterval = 0;
    this.sdInterval = 0;
    this.keepalive = this.options.keepaliveInterval;
    this.sdFile = null;
    this.sdPrinting = false;
    this.sdPos = 0;
    this.sdEof = false;
    this.sdSaving = null;
    this.sdMounted = this.options.sdSupport && this.options.sdCard;
    this.initMachine();
    for (const listener of this.resetListeners) listener();
    this.mode = 'booting';
    const boot = (): void => {
      this.bootTimer = null;
      this.mode = 'running';
      this.rxHead = 0;
      this.rxLen = 0;
      this.banner();
      this.scheduleIdleWait();
      this.pump();
    };
    if (this.options.bootMs > 0) this.bootTimer = this.clock.setTimeout(boot, this.options.bootMs);
    else boot();
  }

  /** Runs a fault command as if `!!DEBUG:<command>` had arrived on the serial line (e.g. `drop_next_ok`). */
  debug(command: string): void {
    runDebugCommand(this, command.replace(/^!!DEBUG:?/, '').trim());
  }

  /** Stops every timer (for disposal). The simulator stays usable. */
  dispose(): void {
    this.clearTimers();
    this.portOpen = false;
  }

  // ---------------------------------------------------------------- fault hooks (used by SimFaults)

  /** @internal */
  fatal(kind: FatalKind, heater: HeaterRef): void {
    const id = this.heaterFor(heater)?.id ?? String(heater);
    this.sendLine(`Error:${FATAL_TEXT[kind]}, system stopped! Heater_ID: ${id}`);
    this.kill();
  }

  /** @internal */
  kill(prefix?: string): void {
    if (prefix) this.sendLine(prefix);
    this.sendLine(`Error:${STR_ERR_KILLED}`);
    this.halt();
  }

  /** @internal */
  stop(): void {
    if (this.mode === 'killed') return;
    for (const h of this.allHeaters()) h.target = 0;
    this.sendLine(`Error:${STR_ERR_STOPPED}`);
    this.mode = 'stopped';
  }

  /** @internal */
  disconnect(): void {
    for (const listener of [...this.disconnectListeners]) listener();
  }

  /** @internal */
  stallRx(ms: number): void {
    if (this.rxStallTimer !== null) this.clock.clearTimeout(this.rxStallTimer);
    this.rxStallTimer = null;
    const stalled = ms > 0;
    this.faults.rxStalledUntil = stalled ? this.clock.now() + ms : 0;
    if (stalled && Number.isFinite(ms)) {
      this.rxStallTimer = this.clock.setTimeout(() => this.stallRx(0), ms);
    }
    if (!stalled) this.notifyRxSpace();
  }

  /** @internal */
  injectBusy(ms: number, kind: string): void {
    const end = this.clock.now() + ms;
    const clock = this.clock;
    this.priority.push({
      line: '',
      lineNumber: null,
      source: 'serial',
      internal: {
        busy: `echo:busy: ${kind}`,
        gen: function* () {
          while (clock.now() < end) yield end;
        },
      },
    });
    this.pump();
  }

  /** @internal */
  pinTemp(ref: HeaterRef, temperature: number | null): void {
    const heater = this.heaterFor(ref);
    if (!heater) return;
    this.updateThermal();
    heater.pinned = temperature;
    if (temperature !== null) heater.current = temperature;
    this.checkTempLimits(heater);
    this.wakeRunning();
  }

  /** @internal */
  setRxBufferSize(bytes: number): void {
    const pending: number[] = [];
    for (let i = 0; i < this.rxLen; i++) pending.push(this.rx[(this.rxHead + i) % this.rx.length] ?? 0);
    this.rx = new Uint8Array(Math.max(1, bytes));
    this.rxHead = 0;
    this.rxLen = Math.min(pending.length, this.rx.length);
    this.rx.set(pending.slice(0, this.rxLen));
    this.notifyRxSpace();
  }

  /** @internal */
  setAmbient(temperature: number): void {
    this.updateThermal();
    this.ambientTemp = temperature;
  }

  /** @internal Ends an injected busy spell (and drops queued ones). */
  unbusy(): void {
    this.priority = [];
    if (this.running?.cmd.internal) {
      this.running.gen.return();
      this.wakeRunning();
    }
  }

  /** @internal */
  setPlannerBlocks(blocks: number): void {
    (this.options as { plannerBlocks: number }).plannerBlocks = Math.max(2, blocks);
    this.wakeRunning();
  }

  /** Sends one raw line (with `\n`) through the output faults. */
  sendLine(line: string): void {
    if (this.isSilenced()) return;
    let text = line;
    const garble = this.faults.garbles.shift();
    if (garble !== undefined) {
      let out = '';
      for (let i = 0; i < text.length; i++) out += i < garble ? String.fromCharCode(text.charCodeAt(i) ^ 1) : text[i];
      text = out;
    }
    const chunk = `${text}\n`;
    for (const listener of [...this.outputListeners]) listener(chunk);
  }

  // ---------------------------------------------------------------- machine state

  private initMachine(): void {
    const now = this.clock.now();
    const model = {
      heatingRate: this.options.heatingRate,
      coolingRate: this.options.coolingRate,
      ambient: () => this.ambientTemp,
    };
    const keep = (old: Heater | undefined | null, kind: HeaterKind, index: number): Heater => {
      const heater = new Heater(kind, index, model, now);
      if (old) {
        old.update(now);
        heater.current = old.current;
        heater.pinned = old.pinned;
      }
      return heater;
    };
    this.hotends = Array.from({ length: this.options.extruders }, (_, i) => keep(this.hotends[i], 'hotend', i));
    this.bed = this.options.heatedBed ? keep(this.bed, 'bed', 0) : null;
    this.chamber = this.options.heatedChamber ? keep(this.chamber, 'chamber', 0) : null;
    this.pos = { x: 0, y: 0, z: 0, e: 0 };
    this.stepperPos = { x: 0, y: 0, z: 0, e: 0 };
    this.feedrate = DEFAULT_FEEDRATE;
    this.feedPercent = 100;
    this.flowPercent = this.hotends.map(() => 100);
    this.relative = false;
    this.relativeE = false;
    this.activeTool = 0;
  }

  private allHeaters(): Heater[] {
    return [...this.hotends, ...(this.bed ? [this.bed] : []), ...(this.chamber ? [this.chamber] : [])];
  }

  private heaterFor(ref: HeaterRef): Heater | null {
    if (typeof ref === 'number') return this.hotends[ref] ?? null;
    if (ref === 'bed' || ref === 'B') return this.bed;
    if (ref === 'chamber' || ref === 'C') return this.chamber;
    const m = /^T(\d+)$/.exec(ref);
    return m ? (this.hotends[Number(m[1])] ?? null) : null;
  }

  private updateThermal(): void {
    const now = this.clock.now();
    for (const h of this.allHeaters()) h.update(now);
  }

  private maxTempOf(h: Heater): number {
    return this.options.maxTemp[h.kind];
  }

  private checkTempLimits(h: Heater): void {
    if (this.mode === 'killed') return;
    if (h.current >= this.maxTempOf(h)) this.fatal('maxtemp', h.kind === 'hotend' ? h.index : h.kind);
    else if (h.kind === 'hotend' && h.current < this.options.minTemp) this.fatal('mintemp', h.index);
  }

  private halt(): void {
    this.mode = 'killed';
    for (const h of this.allHeaters()) h.target = 0;
    this.ring = [];
    this.priority = [];
    if (this.running) this.clock.clearTimeout(this.running.keepaliveTimer);
    this.running = null;
    this.planner = [];
    this.rxHead = 0;
    this.rxLen = 0;
    this.clearTimers();
  }

  private clearTimers(): void {
    for (const t of [
      this.bootTimer,
      this.wakeTimer,
      this.tempTimer,
      this.sdTimer,
      this.idleTimer,
      this.silenceTimer,
      this.rxStallTimer,
    ]) {
      if (t !== null) this.clock.clearTimeout(t);
    }
    if (this.running) this.clock.clearTimeout(this.running.keepaliveTimer);
    this.bootTimer = this.wakeTimer = this.tempTimer = this.sdTimer = this.idleTimer = this.silenceTimer = null;
    this.rxStallTimer = null;
  }

  private isSilenced(): boolean {
    return this.faults.silentUntil > this.clock.now();
  }

  private notifyRxSpace(): void {
    for (const listener of [...this.rxSpaceListeners]) listener();
  }

  private banner(): void {
    if (this.vp) {
      this.sendLine('start');
      this.sendLine('Marlin: Virtual Marlin!');
      this.sendLine('\x80');
      this.sendLine(this.sdMounted ? 'SD card ok' : 'SD init fail');
      return;
    }
    const version = this.options.firmwareVersion;
    this.sendLine('start');
    this.sendLine('echo: External Reset');
    this.sendLine(`Marlin ${version}`);
    this.sendLine('echo: Last Updated: 2024-01-01 | Author: (none, default config)');
    this.sendLine('echo: Compiled: Jan  1 2024');
    this.sendLine('echo: Free Memory: 4937  PlannerBufferBytes: 1408');
    this.sendLine('echo:  G21    ; Units in mm (mm)');
    this.sendLine('echo:  M149 C ; Units in Celsius');
    this.sendLine('echo:; Steps per unit:');
    this.sendLine('echo:  M92 X80.00 Y80.00 Z400.00 E93.00');
    if (this.options.sdSupport) this.sendLine(this.sdMounted ? 'echo:SD card ok' : 'echo:No SD card');
  }

  // ---------------------------------------------------------------- timers: idle wait, autoreports

  private scheduleIdleWait(): void {
    if (this.idleTimer !== null) this.clock.clearTimeout(this.idleTimer);
    this.idleTimer = null;
    if (this.options.idleWaitMs <= 0 || !this.portOpen || this.mode === 'killed') return;
    this.idleTimer = this.clock.setTimeout(() => {
      this.idleTimer = null;
      if (this.mode !== 'booting' && this.running === null && this.ring.length === 0 && this.rxLen === 0) {
        this.sendLine('wait');
      }
      this.scheduleIdleWait();
    }, this.options.idleWaitMs);
  }

  private scheduleTempReport(): void {
    if (this.tempTimer !== null) this.clock.clearTimeout(this.tempTimer);
    this.tempTimer = null;
    if (this.tempInterval <= 0 || this.mode === 'killed') return;
    this.tempTimer = this.clock.setTimeout(() => {
      this.tempTimer = null;
      if (!this.heatWaiting && this.mode !== 'booting') this.sendLine(this.tempReport('report'));
      this.scheduleTempReport();
    }, this.tempInterval * 1000);
  }

  private scheduleSdReport(): void {
    if (this.sdTimer !== null) this.clock.clearTimeout(this.sdTimer);
    this.sdTimer = null;
    if (this.sdInterval <= 0 || this.mode === 'killed') return;
    this.sdTimer = this.clock.setTimeout(() => {
      this.sdTimer = null;
      if (this.mode !== 'booting') this.sendLine(this.sdStatus());
      this.scheduleSdReport();
    }, this.sdInterval * 1000);
  }

  // ---------------------------------------------------------------- emergency parser (in the "RX interrupt")

  private emergencyChar(c: number): void {
    if (c === 10 || c === 13) {
      const m = /^\s*(?:N\d+\s*)?(M112|M108|M410)(?![0-9])/i.exec(this.epLine);
      this.epLine = '';
      if (!m) return;
      const code = (m[1] ?? '').toUpperCase();
      if (this.vp) {
        if (code === 'M112' && this.mode !== 'killed') {
          this.sendLine('echo:EMERGENCY SHUTDOWN DETECTED. KILLED.');
          this.halt();
        }
        return;
      }
      if (code === 'M112') this.kill('echo:M112 Shutdown');
      else if (code === 'M108') this.cancelWait();
      else this.quickStop();
      return;
    }
    if (this.epLine.length < MAX_CMD_SIZE) this.epLine += String.fromCharCode(c);
  }

  private cancelWait(): void {
    this.waitCancelled = true;
    this.wakeRunning();
  }

  private quickStop(): void {
    this.prunePlanner();
    this.planner = [];
    this.pos = { ...this.stepperPos };
    this.wakeRunning();
  }

  // ---------------------------------------------------------------- the firmware loop

  private wakeRunning(): void {
    if (this.running) this.running.wake = this.clock.now();
    this.pump();
  }

  private pump(): void {
    if (this.pumping) {
      this.repump = true;
      return;
    }
    this.pumping = true;
    const rxBefore = this.rxLen;
    try {
      do {
        this.repump = false;
        for (;;) {
          if (this.mode === 'booting' || this.mode === 'killed') break;
          if (this.running) {
            if (this.clock.now() < this.running.wake) break;
            if (!this.step()) break;
            continue;
          }
          this.intake();
          if ((this.mode as SimState) === 'killed') break;
          const next = this.priority.shift() ?? this.ring[0];
          if (!next) break;
          if (next.internal) this.ring.unshift(next);
          this.start(next);
        }
      } while (this.repump);
    } finally {
      this.pumping = false;
    }
    if (this.rxLen < rxBefore) this.notifyRxSpace();
  }

  /** get_serial_commands + get_sdcard_commands: fill the ring while it has room. */
  private intake(): void {
    while (this.ring.length < this.options.bufsize && this.rxLen > 0 && this.mode !== 'killed') {
      const c = this.rx[this.rxHead] ?? 0;
      this.rxHead = (this.rxHead + 1) % this.rx.length;
      this.rxLen--;
      this.serialChar(c);
    }
    while (this.ring.length < this.options.bufsize && this.sdPrinting && !this.sdEof && this.mode !== 'killed') {
      this.sdReadLine();
    }
  }

  private serialChar(c: number): void {
    if (c === 10 || c === 13) {
      const line = this.lineBuf;
      this.lineBuf = '';
      this.lineState = 'normal';
      if (line.length > 0) this.lineDone(line);
      return;
    }
    if (this.lineState === 'eol') return;
    const ch = String.fromCharCode(c);
    if (this.lineState === 'escape') this.lineState = 'normal';
    else if (ch === ';') {
      this.lineState = 'eol';
      return;
    } else if (ch === '\\') this.lineState = 'escape';
    this.lineBuf += ch;
    if (this.lineBuf.length >= MAX_CMD_SIZE - 1) this.lineState = 'eol';
  }

  private flushRx(): void {
    this.rxHead = 0;
    this.rxLen = 0;
    this.lineBuf = '';
    this.lineState = 'normal';
  }

  /** process_line_done: N / checksum / M110 rules (spec §1.2). */
  private lineDone(raw: string): void {
    const command = raw.replace(/^ +/, '');
    if (command.length === 0) return;
    if (command.startsWith('!!DEBUG')) {
      runDebugCommand(this, command.slice(7).replace(/^:/, '').trim());
      return;
    }
    if (this.faults.dropLines > 0) {
      this.faults.dropLines--;
      return;
    }
    let lineNumber: number | null = null;
    if (command[0] === 'N') {
      const m110 = command.indexOf('M110');
      let npos = 0;
      if (m110 >= 0) {
        const n2 = command.indexOf('N', m110 + 4);
        if (n2 >= 0) npos = n2;
      }
      const n = strtol(command.slice(npos + 1));
      if (this.faults.resendsWithoutOk > 0) {
        this.faults.resendsWithoutOk--;
        this.flushRx();
        this.sendLine(this.vp ? `Resend:${this.lastN + 1}` : `Resend: ${this.lastN + 1}`);
        return;
      }
      if (this.faults.lineNumberErrors.length > 0) {
        const expected = this.faults.lineNumberErrors.shift() ?? null;
        this.lastN = (expected ?? this.lastN + 1) - 1;
        this.lineError('line', n);
        return;
      }
      if (n !== this.lastN + 1 && m110 < 0) {
        this.lineError('line', n);
        return;
      }
      const star = command.lastIndexOf('*');
      if (star < 0) {
        this.lineError('nochecksum', n);
        return;
      }
      let bad = strtol(command.slice(star + 1)) !== checksum(command.slice(0, star));
      const corrupt = this.faults.corruptLines.findIndex((target) => target === null || target === n);
      if (!bad && corrupt >= 0) {
        this.faults.corruptLines.splice(corrupt, 1);
        bad = true;
      }
      if (!bad && this.faults.noiseRate > 0 && this.faults.rng() < this.faults.noiseRate) bad = true;
      if (bad) {
        this.lineError('checksum', n);
        return;
      }
      this.lastN = n;
      lineNumber = n;
    } else if (this.sdSaving && !/M29(?![0-9])/.test(command)) {
      this.lineError('nochecksum', null);
      return;
    }
    if (this.mode === 'stopped') {
      const g = command.indexOf('G');
      if (g >= 0 && [0, 1, 2, 3, 5].includes(strtol(command.slice(g + 1)))) this.sendLine(STR_ERR_STOPPED);
    }
    if (!this.options.emergencyParser && !this.vp && command[0] === 'M') {
      if (command.startsWith('M108')) this.cancelWait();
      else if (command.startsWith('M112')) {
        this.kill('echo:M112 Shutdown');
        return;
      } else if (command.startsWith('M410')) this.quickStop();
    }
    this.ring.push({ line: command, lineNumber, source: 'serial' });
  }

  private lineError(kind: LineErrorKind, got: number | null): void {
    if (this.vp) {
      const text =
        kind === 'line'
          ? `expected line ${this.lastN + 1} got ${got ?? ''}`
          : kind === 'checksum'
            ? 'Checksum mismatch'
            : 'Missing checksum';
      this.sendLine(`Error: ${text}`);
    } else {
      const text =
        kind === 'line' ? STR_ERR_LINE_NO : kind === 'checksum' ? STR_ERR_CHECKSUM_MISMATCH : STR_ERR_NO_CHECKSUM;
      this.sendLine(`Error:${text}${this.lastN}`);
    }
    this.flushRx();
    this.flushAndRequestResend();
  }

  private flushAndRequestResend(): void {
    this.sendLine(this.vp ? `Resend:${this.lastN + 1}` : `Resend: ${this.lastN + 1}`);
    this.sendOk('ok');
  }

  private sdReadLine(): void {
    const file = this.sdFile;
    if (!file) {
      this.sdEof = true;
      return;
    }
    const data = file.data;
    let line = '';
    let comment = false;
    while (this.sdPos < data.length) {
      const c = data[this.sdPos++] ?? 0;
      if (c === 10 || c === 13) {
        if (line.trim().length > 0) break;
        line = '';
        comment = false;
        continue;
      }
      if (comment) continue;
      if (c === 59) {
        comment = true;
        continue;
      }
      if (line.length < MAX_CMD_SIZE - 1) line += String.fromCharCode(c);
    }
    if (this.sdPos >= data.length) this.sdEof = true;
    line = line.trim();
    if (line.length > 0) this.ring.push({ line, lineNumber: null, source: 'sd' });
    if (this.sdEof) this.maybeSdDone();
  }

  private maybeSdDone(): void {
    if (!this.sdPrinting || !this.sdEof) return;
    if (this.ring.some((c) => c.source === 'sd')) return;
    this.sdPrinting = false;
    this.sdFile = null;
    this.sdPos = 0;
    this.sendLine('Done printing file');
  }

  private start(cmd: RingCommand): void {
    const now = this.clock.now();
    let gen: Generator<number, void, void>;
    let busyText: string | null = this.vp ? null : 'echo:busy: processing';
    const running: Running = {
      cmd,
      gen: undefined as unknown as Generator<number, void, void>,
      started: now,
      wake: now,
      skipOk: cmd.source === 'sd',
      okSent: false,
      busyText,
      keepaliveTimer: null,
      waiting: false,
    };
    this.running = running;
    if (cmd.internal) {
      gen = cmd.internal.gen();
      running.skipOk = true;
      busyText = cmd.internal.busy;
      running.busyText = busyText;
    } else if (this.sdSaving && cmd.source === 'serial') {
      gen = this.saveLine(cmd);
    } else {
      const parsed = parseCommand(cmd.line);
      this.log.push({ lineNumber: cmd.lineNumber, command: parsed.text.trim(), time: now, source: cmd.source });
      if (this.options.okBeforeCommandOutput && !running.skipOk && !this.blocksBeforeOk(parsed)) {
        running.okSent = true;
        this.sendOk(this.okText(cmd));
      }
      gen = this.dispatch(parsed, running);
    }
    running.gen = gen;
    this.step();
  }

  private blocksBeforeOk(cmd: ParsedCommand): boolean {
    if (cmd.letter === 'G') return [0, 1, 2, 3, 4, 28, 29].includes(cmd.code ?? -1);
    if (cmd.letter === 'M') return [109, 190, 191, 400, 999].includes(cmd.code ?? -1);
    return false;
  }

  /** Runs the current handler until it blocks or ends. Returns true when it ended. */
  private step(): boolean {
    const running = this.running;
    if (!running) return true;
    for (;;) {
      const r = running.gen.next();
      if (this.running !== running) return true;
      if (r.done) break;
      const now = this.clock.now();
      if (r.value <= now) continue;
      running.wake = r.value;
      if (!running.waiting) {
        running.waiting = true;
        this.armKeepalive(running);
      }
      this.armWake(r.value);
      return false;
    }
    // handler finished
    if (this.faults.stallOkMs > 0 && !running.skipOk && !running.okSent) {
      const until = this.clock.now() + this.faults.stallOkMs;
      this.faults.stallOkMs = 0;
      const clock = this.clock;
      running.busyText = null;
      running.gen = (function* () {
        while (clock.now() < until) yield until;
      })();
      return this.step();
    }
    this.clock.clearTimeout(running.keepaliveTimer);
    this.running = null;
    if (!running.skipOk && !running.okSent) this.sendOk(this.okText(running.cmd));
    const index = this.ring.indexOf(running.cmd);
    if (index >= 0) this.ring.splice(index, 1);
    if (running.cmd.source === 'sd') this.maybeSdDone();
    return true;
  }

  /** Wakes the firmware loop at `at`. Real timers may fire a little early, so re-arm until the time has come. */
  private armWake(at: number): void {
    if (this.wakeTimer !== null) this.clock.clearTimeout(this.wakeTimer);
    this.wakeTimer = null;
    if (!Number.isFinite(at)) return;
    this.wakeTimer = this.clock.setTimeout(() => {
      this.wakeTimer = null;
      if (this.running && this.running.wake === at && this.clock.now() < at) this.armWake(at);
      else this.pump();
    }, at - this.clock.now());
  }

  private armKeepalive(running: Running): void {
    const interval = this.keepalive * 1000;
    if (!running.busyText || interval <= 0) return;
    const fire = (): void => {
      running.keepaliveTimer = null;
      if (this.running !== running || this.mode === 'killed') return;
      if (running.busyText && this.keepalive > 0) this.sendLine(running.busyText);
      running.keepaliveTimer = this.clock.setTimeout(fire, this.keepalive * 1000);
    };
    const due = running.started + interval - this.clock.now();
    running.keepaliveTimer = this.clock.setTimeout(fire, Math.max(0, due));
  }

  private okText(cmd: RingCommand): string {
    if (!this.options.advancedOk) return 'ok';
    const n = /^N[-+]?\d*/.exec(cmd.line);
    this.prunePlanner();
    const free = Math.max(0, this.options.plannerBlocks - 1 - this.planner.length);
    return `ok${n ? ` ${n[0]}` : ''} P${free} B${this.options.bufsize - this.ring.length}`;
  }

  /**
   * Sends an ok line through the ok faults (a prepared replacement, a drop, a duplicate). An ok that carries a
   * report (`ok T:...` from M105, the VP's `ok X:...` from M114) is never duplicated.
   */
  private sendOk(text: string): void {
    const prepared = this.faults.preparedOks.shift();
    if (prepared !== undefined) {
      this.sendLine(prepared);
      return;
    }
    if (this.faults.dropOks > 0) {
      this.faults.dropOks--;
      return;
    }
    this.sendLine(text);
    if (this.faults.duplicateOks > 0 && !text.includes(':')) {
      this.faults.duplicateOks--;
      this.sendLine(text);
    }
  }

  // ---------------------------------------------------------------- planner

  private prunePlanner(): void {
    const now = this.clock.now();
    while (this.planner.length > 0 && (this.planner[0]?.end ?? 0) <= now) {
      const block = this.planner.shift();
      if (block) this.stepperPos = { ...block.pos };
    }
  }

  private *planMove(target: Position, mmPerS: number, timeFactor = 1): Generator<number, void, void> {
    const from = this.pos;
    const dx = target.x - from.x;
    const dy = target.y - from.y;
    const dz = target.z - from.z;
    const de = target.e - from.e;
    let dist = Math.hypot(dx, dy, dz);
    if (dist === 0) dist = Math.abs(de);
    this.pos = { ...target };
    if (dist === 0) return;
    const speed = Math.max(1e-6, mmPerS * (this.feedPercent / 100));
    const ms = (dist / speed) * 1000 * this.options.moveTimeFactor * timeFactor;
    yield* this.addBlock(ms, { ...target });
  }

  private *addBlock(ms: number, pos: Position): Generator<number, void, void> {
    for (;;) {
      this.prunePlanner();
      if (this.planner.length < this.options.plannerBlocks - 1) break;
      yield this.planner[0]?.end ?? this.clock.now();
    }
    const now = this.clock.now();
    const last = this.planner[this.planner.length - 1];
    const startAt = last ? Math.max(now, last.end) : now;
    this.planner.push({ end: startAt + ms, pos });
  }

  private *synchronize(): Generator<number, void, void> {
    for (;;) {
      this.prunePlanner();
      const last = this.planner[this.planner.length - 1];
      if (!last) return;
      yield last.end;
    }
  }

  // ---------------------------------------------------------------- reports

  private tempReport(kind: 'ok' | 'report' | 'wait', tool = this.activeTool, residency?: string): string {
    this.updateThermal();
    if (this.vp) {
      const vpt = (h: Heater): string => `${f2(h.current)}/ ${f2(h.target)}`;
      const parts: string[] = [];
      const active = this.hotends[tool] ?? this.hotends[0];
      if (this.hotends.length > 1) {
        if (active) parts.push(`T:${vpt(active)}`);
        this.hotends.forEach((h, i) => parts.push(`T${i}:${vpt(h)}`));
      } else if (active) parts.push(`T:${vpt(active)}`);
      if (this.bed) parts.push(`B:${vpt(this.bed)}`);
      if (this.chamber) parts.push(`C:${vpt(this.chamber)}`);
      const body = `${parts.join(' ')} @:64`;
      return kind === 'ok' ? `ok ${body}` : body;
    }
    const mt = (h: Heater): string => `${f2(h.current)} /${f2(h.target)}`;
    const w = this.options.tempWindow;
    let s = '';
    const active = this.hotends[tool] ?? this.hotends[0];
    if (active) s += ` T:${mt(active)}`;
    if (this.bed) s += ` B:${mt(this.bed)}`;
    if (this.chamber) s += ` C:${mt(this.chamber)}`;
    if (this.hotends.length > 1) this.hotends.forEach((h, i) => (s += ` T${i}:${mt(h)}`));
    if (active) s += ` @:${active.power(w)}`;
    if (this.bed) s += ` B@:${this.bed.power(w)}`;
    if (this.chamber) s += ` C@:${this.chamber.power(w)}`;
    if (this.hotends.length > 1) this.hotends.forEach((h, i) => (s += ` @${i}:${h.power(w)}`));
    if (residency !== undefined) s += ` W:${residency}`;
    if (kind === 'ok') return this.options.okBeforeCommandOutput ? s.slice(1) : `ok${s}`;
    return s;
  }

  private positionReport(): string {
    this.prunePlanner();
    const p = this.pos;
    const sp = this.stepperPos;
    if (this.vp) {
      const line = `X:${f2(p.x)} Y:${f2(p.y)} Z:${f2(p.z)} E:${f2(p.e)} Count: A:${Math.round(p.x * 100)} B:${Math.round(p.y * 100)} C:${Math.round(p.z * 100)}`;
      return `ok ${line}`;
    }
    return `X:${f2(p.x)} Y:${f2(p.y)} Z:${f2(p.z)} E:${f2(p.e)} Count X:${Math.round(sp.x * STEPS_PER_MM.x)} Y:${Math.round(sp.y * STEPS_PER_MM.y)} Z:${Math.round(sp.z * STEPS_PER_MM.z)}`;
  }

  private sdStatus(): string {
    if (this.sdFile && (this.sdPrinting || this.sdPos > 0))
      return `SD printing byte ${this.sdPos}/${this.sdFile.data.length}`;
    return 'Not SD printing';
  }

  // ---------------------------------------------------------------- command dispatch

  private unknown(cmd: ParsedCommand): void {
    if (this.vp) {
      if (cmd.letter === 'F') this.sendLine(`Error: Unknown command F`);
      return;
    }
    this.sendLine(`echo:Unknown command: "${cmd.text}"`);
  }

  private *dispatch(cmd: ParsedCommand, running: Running): Generator<number, void, void> {
    const code = cmd.code;
    if (cmd.letter === 'G' && code !== null) {
      switch (code) {
        case 0:
        case 1:
          if (this.mode !== 'stopped') yield* this.g0g1(cmd);
          return;
        case 2:
        case 3:
          if (this.mode !== 'stopped') yield* this.arc(cmd, code === 2);
          return;
        case 4:
          yield* this.g4(cmd, running);
          return;
        case 28:
          yield* this.g28(cmd);
          return;
        case 90:
          this.relative = false;
          this.relativeE = false;
          return;
        case 91:
          this.relative = true;
          this.relativeE = true;
          return;
        case 92:
          for (const axis of ['x', 'y', 'z', 'e'] as const) {
            const v = num(cmd, axis.toUpperCase());
            if (v !== undefined) this.pos[axis] = v;
          }
          if (![...cmd.params.keys()].some((k) => 'XYZE'.includes(k))) this.pos = { x: 0, y: 0, z: 0, e: 0 };
          this.stepperPos = { ...this.pos };
          return;
        case 20:
        case 21:
          return;
      }
    } else if (cmd.letter === 'M' && code !== null) {
      if (this.sdStore && code >= 20 && code <= 30) {
        this.sdCommand(cmd, running);
        return;
      }
      if (this.sdStore && (code === 524 || code === 33)) {
        this.sdCommand(cmd, running);
        return;
      }
      switch (code) {
        case 17:
        case 18:
        case 84:
        case 106:
        case 107:
        case 149:
          return;
        case 82:
          this.relativeE = false;
          return;
        case 83:
          this.relativeE = true;
          return;
        case 104:
        case 109:
          yield* this.hotendTemp(cmd, code === 109, running);
          return;
        case 140:
        case 190:
          if (!this.bed) break;
          yield* this.heaterTemp(this.bed, cmd, code === 190, running);
          return;
        case 141:
        case 191:
          if (!this.chamber) break;
          yield* this.heaterTemp(this.chamber, cmd, code === 191, running);
          return;
        case 105:
          this.m105(cmd, running);
          return;
        case 110: {
          const n = num(cmd, 'N');
          if (n !== undefined) this.lastN = Math.trunc(n);
          return;
        }
        case 112:
          if (this.vp) {
            this.sendLine('echo:EMERGENCY SHUTDOWN DETECTED. KILLED.');
            this.halt();
          } else this.kill('echo:M112 Shutdown');
          return;
        case 113: {
          const s = num(cmd, 'S');
          if (s !== undefined) this.keepalive = Math.max(0, Math.min(60, Math.trunc(s)));
          else if (!this.vp) this.sendLine(`echo:M113 S${this.keepalive}`);
          return;
        }
        case 114:
          if (this.vp) {
            running.skipOk = true;
            this.sendOk(this.positionReport());
          } else this.sendLine(this.positionReport());
          return;
        case 115:
          this.m115();
          return;
        case 117:
          if (this.vp) this.sendLine(`echo:${cmd.stringArg}`);
          return;
        case 118:
          this.m118(cmd);
          return;
        case 155: {
          const s = num(cmd, 'S');
          if (s !== undefined) {
            this.tempInterval = Math.max(0, Math.min(60, Math.trunc(s)));
            this.scheduleTempReport();
          }
          return;
        }
        case 220: {
          const s = num(cmd, 'S');
          if (s !== undefined) this.feedPercent = Math.max(10, Math.min(999, Math.trunc(s)));
          else this.sendLine(`echo:FR:${this.feedPercent}%`);
          return;
        }
        case 221: {
          const t = num(cmd, 'T') ?? this.activeTool;
          if (this.hotends[t] === undefined) {
            this.sendLine(`echo:M221 Invalid extruder ${t}`);
            return;
          }
          const s = num(cmd, 'S');
          if (s !== undefined) this.flowPercent[t] = Math.trunc(s);
          else this.sendLine(`echo:E${t} Flow: ${this.flowPercent[t] ?? 100}%`);
          return;
        }
        case 400:
          yield* this.synchronize();
          return;
        case 108:
        case 410:
        case 876:
          return;
        case 999:
          if (this.vp) {
            this.sendLine('Resend: 1');
            this.sendOk('ok');
            running.skipOk = true;
            return;
          }
          this.mode = 'running';
          if (num(cmd, 'S') === 1 || cmd.params.get('S') === '') return;
          this.flushAndRequestResend();
          return;
      }
    } else if (cmd.letter === 'T' && code !== null) {
      if (code >= this.hotends.length) {
        this.sendLine(this.vp ? `echo:T${code} Invalid extruder ` : `echo:T${code} Invalid extruder`);
        return;
      }
      this.activeTool = code;
      this.sendLine(this.vp ? `Active Extruder: ${code}` : `echo:Active Extruder: ${code}`);
      return;
    } else if (this.vp && cmd.text.trim().toLowerCase() === 'version') {
      this.sendLine('OctoPrint VirtualPrinter v1.11.2');
      running.skipOk = true;
      return;
    }
    this.unknown(cmd);
  }

  private targetFrom(cmd: ParsedCommand, axis: 'x' | 'y' | 'z' | 'e'): number {
    const v = num(cmd, axis.toUpperCase());
    if (v === undefined) return this.pos[axis];
    const rel = axis === 'e' ? this.relativeE : this.relative;
    return rel ? this.pos[axis] + v : v;
  }

  private *g0g1(cmd: ParsedCommand): Generator<number, void, void> {
    const f = num(cmd, 'F');
    if (f !== undefined && f > 0) this.feedrate = f;
    const target: Position = {
      x: this.targetFrom(cmd, 'x'),
      y: this.targetFrom(cmd, 'y'),
      z: this.targetFrom(cmd, 'z'),
      e: this.targetFrom(cmd, 'e'),
    };
    yield* this.planMove(target, this.feedrate / 60);
  }

  private *arc(cmd: ParsedCommand, clockwise: boolean): Generator<number, void, void> {
    const f = num(cmd, 'F');
    if (f !== undefined && f > 0) this.feedrate = f;
    const start = { ...this.pos };
    const end: Position = {
      x: this.targetFrom(cmd, 'x'),
      y: this.targetFrom(cmd, 'y'),
      z: this.targetFrom(cmd, 'z'),
      e: this.targetFrom(cmd, 'e'),
    };
    let cx: number;
    let cy: number;
    const r = num(cmd, 'R');
    if (r !== undefined) {
      const mx = (start.x + end.x) / 2;
      const my = (start.y + end.y) / 2;
      const dx = end.x - start.x;
      const dy = end.y - start.y;
      const d = Math.hypot(dx, dy);
      if (d === 0) return;
      const h = Math.sqrt(Math.max(0, r * r - (d / 2) ** 2));
      const sgn = (clockwise ? 1 : -1) * (r < 0 ? -1 : 1);
      cx = mx + (sgn * h * dy) / d;
      cy = my - (sgn * h * dx) / d;
    } else {
      cx = start.x + (num(cmd, 'I') ?? 0);
      cy = start.y + (num(cmd, 'J') ?? 0);
    }
    const radius = Math.hypot(start.x - cx, start.y - cy);
    const a0 = Math.atan2(start.y - cy, start.x - cx);
    let a1 = Math.atan2(end.y - cy, end.x - cx);
    if (clockwise) {
      if (a1 >= a0) a1 -= 2 * Math.PI;
    } else if (a1 <= a0) a1 += 2 * Math.PI;
    const sweep = a1 - a0;
    const length = Math.hypot(Math.abs(sweep) * radius, end.z - start.z);
    const segments = Math.max(1, Math.ceil(length / 1));
    for (let i = 1; i <= segments; i++) {
      const t = i / segments;
      const a = a0 + sweep * t;
      const p: Position =
        i === segments
          ? end
          : {
              x: cx + radius * Math.cos(a),
              y: cy + radius * Math.sin(a),
              z: start.z + (end.z - start.z) * t,
              e: start.e + (end.e - start.e) * t,
            };
      yield* this.planMove(p, this.feedrate / 60);
    }
  }

  private *g4(cmd: ParsedCommand, running: Running): Generator<number, void, void> {
    let ms = 0;
    const p = num(cmd, 'P');
    const s = num(cmd, 'S');
    if (p !== undefined) ms = p;
    if (s !== undefined) ms = s * 1000;
    yield* this.synchronize();
    if (this.vp) running.busyText = this.options.sendBusy ? 'busy:processing' : null;
    const end = this.clock.now() + ms;
    while (this.clock.now() < end) yield end;
  }

  private *g28(cmd: ParsedCommand): Generator<number, void, void> {
    yield* this.synchronize();
    const axes = (['x', 'y', 'z'] as const).filter((a) => cmd.params.has(a.toUpperCase()));
    const home = axes.length > 0 ? axes : (['x', 'y', 'z'] as const);
    if (!this.vp) {
      const dist = Math.max(0, ...home.map((a) => Math.abs(this.pos[a])));
      const end = this.clock.now() + (dist / HOMING_FEEDRATE_MM_S) * 1000 + this.options.homingMs;
      while (this.clock.now() < end) yield end;
    }
    for (const a of home) {
      this.pos[a] = 0;
      this.stepperPos[a] = 0;
    }
    if (!this.vp) this.sendLine(this.positionReport());
  }

  private m105(cmd: ParsedCommand, running: Running): void {
    const t = num(cmd, 'T');
    const tool = t ?? this.activeTool;
    if (t !== undefined && this.hotends[t] === undefined) {
      this.sendLine(`echo:M105 Invalid extruder ${t}`);
      return;
    }
    if (this.options.okBeforeCommandOutput && !this.vp) {
      this.sendLine(this.tempReport('ok', tool));
      return;
    }
    running.skipOk = true;
    this.sendOk(this.tempReport('ok', tool));
  }

  private m115(): void {
    if (this.vp) {
      this.sendLine('FIRMWARE_NAME:Virtual Marlin 1.0 PROTOCOL_VERSION:1.0');
    } else {
      this.sendLine(
        `FIRMWARE_NAME:Marlin ${this.options.firmwareVersion} (Jan  1 2024 12:00:00) SOURCE_CODE_URL:github.com/MarlinFirmware/Marlin PROTOCOL_VERSION:1.0 MACHINE_TYPE:${this.options.machineType} EXTRUDER_COUNT:${this.hotends.length} UUID:${this.options.uuid}`,
      );
    }
    if (!this.options.extendedCapabilities) return;
    for (const [name, value] of this.capabilityList()) this.sendLine(`Cap:${name}:${value ? 1 : 0}`);
  }

  /** The M115 capability list after profile and overrides. */
  capabilityList(): Array<[string, boolean]> {
    const base = this.vp ? VP_CAPABILITIES : DEFAULT_CAPABILITIES;
    const derived: Record<string, boolean> = this.vp
      ? { CHAMBER_TEMPERATURE: this.options.heatedChamber }
      : {
          SDCARD: this.options.sdSupport,
          SD_WRITE: this.options.sdSupport,
          AUTOREPORT_SD_STATUS: this.options.sdSupport,
          LONG_FILENAME: this.options.sdSupport,
          EXTENDED_M20: this.options.sdSupport,
          CHAMBER_TEMPERATURE: this.options.heatedChamber,
          EMERGENCY_PARSER: this.options.emergencyParser,
        };
    const list: Array<[string, boolean]> = base.map(([name, value]) => [
      name,
      this.options.capabilities[name] ?? derived[name] ?? value,
    ]);
    for (const [name, value] of Object.entries(this.options.capabilities)) {
      if (!list.some(([n]) => n === name)) list.push([name, value]);
    }
    return list;
  }

  private m118(cmd: ParsedCommand): void {
    let text = cmd.stringArg;
    let hasA = false;
    let hasE = false;
    for (let i = 0; i < 3; i++) {
      const m = /^([AEP])([0-9]?)\s*/.exec(text);
      if (!m) break;
      if (m[1] === 'A') hasA = m[2] !== '0';
      if (m[1] === 'E') hasE = m[2] !== '0';
      text = text.slice(m[0].length);
    }
    this.sendLine(`${hasE ? 'echo:' : ''}${hasA ? '//' : ''}${text}`);
  }

  private *hotendTemp(cmd: ParsedCommand, wait: boolean, running: Running): Generator<number, void, void> {
    const t = num(cmd, 'T');
    const index = t ?? this.activeTool;
    const heater = this.hotends[index];
    if (!heater) {
      this.sendLine(`echo:M${cmd.code ?? 104} Invalid extruder ${t ?? ''}`);
      return;
    }
    yield* this.heaterTemp(heater, cmd, wait, running);
  }

  private *heaterTemp(
    heater: Heater,
    cmd: ParsedCommand,
    wait: boolean,
    running: Running,
  ): Generator<number, void, void> {
    const s = this.vp ? (/^\d+$/.test(cmd.params.get('S') ?? '') ? num(cmd, 'S') : undefined) : num(cmd, 'S');
    const r = wait && !this.vp ? num(cmd, 'R') : undefined;
    const value = s ?? r;
    if (value === undefined) return;
    this.updateThermal();
    const overshoot = heater.kind === 'hotend' ? HOTEND_OVERSHOOT : BED_OVERSHOOT;
    heater.target = Math.max(0, Math.min(value, this.maxTempOf(heater) - overshoot));
    if (!wait) return;
    const target = heater.target;
    const wantsToCool = heater.current > target;
    if (s !== undefined && wantsToCool) return;
    yield* this.heatWait(heater, target, running);
  }

  private *heatWait(heater: Heater, target: number, running: Running): Generator<number, void, void> {
    const window = this.options.tempWindow;
    const residency = this.vp ? 0 : this.options.tempResidencyTime;
    const goal = target > 0 ? target : this.ambientTemp;
    if (this.vp) running.busyText = this.options.sendBusy ? 'echo:busy: processing' : null;
    this.waitCancelled = false;
    this.heatWaiting = true;
    let nextReport = this.clock.now();
    let residencyStart: number | null = null;
    try {
      for (;;) {
        this.updateThermal();
        const now = this.clock.now();
        if (this.waitCancelled) return;
        const within = Math.abs(heater.current - goal) <= window + 1e-9;
        if (residency > 0) {
          if (residencyStart === null && within) residencyStart = now;
          else if (residencyStart !== null && Math.abs(heater.current - goal) > 3) residencyStart = null;
        }
        if (now >= nextReport) {
          nextReport = now + 1000;
          if (this.vp) {
            const letter = heater.kind === 'hotend' ? 'T' : heater.kind === 'bed' ? 'B' : 'C';
            this.sendLine(`${letter}:${f2(heater.current)}`);
          } else {
            let w: string | undefined;
            if (residency > 0) {
              w =
                residencyStart === null
                  ? '?'
                  : String(Math.max(0, Math.floor((residencyStart + residency * 1000 - now) / 1000)));
            }
            const tool = heater.kind === 'hotend' ? heater.index : this.activeTool;
            this.sendLine(this.tempReport('wait', tool, w));
          }
        }
        if (residency > 0 ? residencyStart !== null && now - residencyStart >= residency * 1000 : within) return;
        let wake = nextReport;
        if (residency > 0 && residencyStart !== null) wake = Math.min(wake, residencyStart + residency * 1000);
        else {
          const t = heater.timeToWithin(goal, window);
          if (Number.isFinite(t)) wake = Math.min(wake, now + Math.max(1, Math.ceil(t * 1000 - 1e-6)));
        }
        yield wake;
      }
    } finally {
      this.heatWaiting = false;
      this.waitCancelled = false;
    }
  }

  // ---------------------------------------------------------------- SD card

  private listing(): SdListing[] {
    return dosListing(this.sdStore?.list() ?? []);
  }

  private findFile(arg: string): SdListing | undefined {
    const wanted = arg.trim().replace(/^\/+/, '');
    const lower = wanted.toLowerCase();
    return this.listing().find((f) => f.dosPath.toLowerCase() === lower || f.path.toLowerCase() === lower);
  }

  // eslint-disable-next-line require-yield
  private *saveLine(cmd: RingCommand): Generator<number, void, void> {
    const saving = this.sdSaving;
    if (!saving) return;
    if (/M29(?![0-9])/.test(cmd.line)) {
      this.sdStore?.write(saving.path, Buffer.from(saving.chunks.join(''), 'latin1'));
      this.sdSaving = null;
      this.sendLine(this.vp ? 'Done saving file' : 'Done saving file.');
      return;
    }
    let text = cmd.line;
    if (text.startsWith('N')) {
      const space = text.indexOf(' ');
      text = space >= 0 ? text.slice(space + 1) : '';
      const star = text.indexOf('*');
      if (star >= 0) text = text.slice(0, star);
    }
    saving.chunks.push(`${text}\r\n`);
  }

  private sdCommand(cmd: ParsedCommand, running: Running): void {
    const code = cmd.code ?? 0;
    const arg = cmd.stringArg.trim();
    if (code === 21) {
      this.sdMounted = this.options.sdCard;
      if (this.vp) this.sendLine(this.sdMounted ? 'SD card ok' : 'SD init fail');
      else this.sendLine(this.sdMounted ? 'echo:SD card ok' : 'echo:No SD card');
      return;
    }
    if (code === 22) {
      if (this.sdPrinting) return;
      this.sdMounted = false;
      this.sdFile = null;
      if (!this.vp) this.sendLine('echo:SD card released');
      return;
    }
    if (!this.sdMounted) {
      if (code === 20 && !this.vp) this.sendLine('echo:No media');
      return;
    }
    switch (code) {
      case 20: {
        const flags = cmd.params;
        this.sendLine('Begin file list');
        for (const file of this.listing()) {
          let line = `${this.vp ? file.dosPath.toLowerCase() : file.dosPath} ${file.size}`;
          if (flags.has('T')) line += ` 0x${fatTimestamp(file.mtime).toString(16).toUpperCase().padStart(8, '0')}`;
          if (flags.has('L')) line += this.vp ? ` "${file.longName}"` : ` ${file.longName}`;
          this.sendLine(line);
        }
        this.sendLine('End file list');
        return;
      }
      case 23: {
        const file = this.findFile(arg);
        const name = arg.split('/').pop() ?? arg;
        if (!this.vp) this.sendLine(`echo:Now fresh file: ${arg}`);
        if (!file) {
          this.sendLine(`open failed, File: ${name}.`);
          return;
        }
        const data = this.sdStore?.read(file.path) ?? Buffer.alloc(0);
        this.sdFile = { name: file.dosPath, path: file.path, data };
        this.sdPos = 0;
        this.sdEof = false;
        this.sdPrinting = false;
        this.sendLine(
          this.vp ? `File opened: ${file.longName}  Size: ${data.length}` : `File opened: ${name} Size: ${data.length}`,
        );
        this.sendLine('File selected');
        return;
      }
      case 24:
        if (!this.sdFile) return;
        this.sdPrinting = true;
        this.sdEof = this.sdPos >= this.sdFile.data.length;
        if (this.sdEof) this.maybeSdDone();
        return;
      case 25:
        this.sdPrinting = false;
        return;
      case 26: {
        const s = num(cmd, 'S');
        if (this.sdFile && s !== undefined) {
          this.sdPos = Math.max(0, Math.min(this.sdFile.data.length, Math.trunc(s)));
          this.sdEof = this.sdPos >= this.sdFile.data.length;
        }
        return;
      }
      case 27: {
        if (cmd.params.has('C')) {
          this.sendLine(
            this.sdFile
              ? `Current file: ${this.sdFile.name} ${this.sdFile.path.split('/').pop() ?? ''}`
              : 'Current file: (no file)',
          );
          return;
        }
        const s = num(cmd, 'S');
        if (s !== undefined) {
          this.sdInterval = Math.max(0, Math.min(60, Math.trunc(s)));
          this.scheduleSdReport();
          return;
        }
        this.sendLine(this.sdStatus());
        return;
      }
      case 28: {
        const path = arg.replace(/^\/+/, '');
        const name = path.split('/').pop() ?? path;
        if (!path) {
          this.sendLine(`open failed, File: ${name}.`);
          return;
        }
        const existing = this.findFile(path);
        this.sdSaving = { name, path: existing?.path ?? path, chunks: [] };
        this.sendLine(`Writing to file: ${name}`);
        return;
      }
      case 29:
        return;
      case 30: {
        const file = this.findFile(arg);
        const name = arg.replace(/^\/+/, '');
        const ok = file ? (this.sdStore?.remove(file.path) ?? false) : false;
        if (file && this.sdFile?.path === file.path) {
          this.sdFile = null;
          this.sdPrinting = false;
        }
        if (this.vp) return;
        this.sendLine(ok ? `File deleted:${name}` : `Deletion failed, File: ${name}.`);
        return;
      }
      case 33: {
        const file = this.findFile(arg);
        if (file) this.sendLine(file.path);
        return;
      }
      case 524:
        this.sdPrinting = false;
        this.sdFile = null;
        this.sdPos = 0;
        this.sdEof = false;
        this.ring = this.ring.filter((c) => c.source !== 'sd' || c === running.cmd);
        return;
      default:
        this.unknown(cmd);
    }
  }
}
