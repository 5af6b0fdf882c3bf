import type { SimClock } from './clock.js';
import { CommandLoop } from './command-loop.js';
import { dialectFor, type Dialect } from './dialect.js';
import { FATAL_TEXT, type FatalKind, type HeaterRef, type SimFaults } from './faults.js';
import { HostKeepalive } from './handlers/keepalive.js';
import { Motion } from './handlers/motion.js';
import { SdCard } from './handlers/sd.js';
import { SystemCommands } from './handlers/system.js';
import { Thermal } from './handlers/thermal.js';
import { strtol } from './gcode.js';
import { SerialIntake } from './intake.js';
import type { ResolvedOptions } from './options.js';
import type { MarlinSim } from './sim.js';
import type { ExecutedCommand, SimState } from './types.js';

const STR_ERR_STOPPED =
  'Printer stopped due to errors. Fix the error and use M999 to restart. (Temperature is reset. Set it after restarting)';
const STR_ERR_KILLED = 'Printer halted. kill() called!';

/** What the firmware tells the outside world (the transport behind {@link MarlinSim}). */
export interface FirmwareEvents {
  output(chunk: string): void;
  rxSpace(): void;
  reset(): void;
}

/**
 * The firmware's shared state and its parts: serial intake, command loop, and one handler per command family. Each
 * part reaches the others through this object; the dialect supplies every text and behaviour that differs.
 */
export class Firmware {
  readonly dialect: Dialect;
  readonly faults: SimFaults;
  readonly executed: ExecutedCommand[] = [];
  mode: SimState = 'running';
  portOpen = false;

  readonly intake: SerialIntake;
  readonly loop: CommandLoop;
  readonly motion: Motion;
  readonly thermal: Thermal;
  readonly card: SdCard;
  readonly host: HostKeepalive;
  readonly system: SystemCommands;

  private bootTimer: unknown = null;
  private rxStallTimer: unknown = null;

  constructor(
    readonly options: ResolvedOptions,
    readonly clock: SimClock,
    /** The public face, for the `!!DEBUG` commands that arrive on the serial line. */
    readonly sim: MarlinSim,
    private readonly events: FirmwareEvents,
  ) {
    this.faults = sim.faults;
    this.dialect = dialectFor(options.dialect);
    this.intake = new SerialIntake(this);
    this.loop = new CommandLoop(this);
    this.motion = new Motion(this);
    this.thermal = new Thermal(this);
    this.card = new SdCard(this);
    this.host = new HostKeepalive(this);
    this.system = new SystemCommands(this);
    this.initMachine();
  }

  /** Bytes from the host; see {@link MarlinSim.receive}. */
  receive(bytes: Buffer): number {
    if (bytes.length === 0) return 0;
    const stalledUntil = this.faults.rxStalledUntil;
    if (stalledUntil > 0 && stalledUntil > this.clock.now()) return 0;
    this.host.dataReceived();
    if (this.mode === 'booting' || this.mode === 'killed' || this.isSilenced()) return bytes.length;
    const accepted = this.intake.accept(bytes);
    this.loop.pump();
    return accepted;
  }

  reset(): void {
    this.clearTimers();
    this.faults.unsilence();
    if (this.faults.rxStalledUntil > 0) this.stallRx(0);
    this.intake.reset();
    this.loop.clear();
    this.thermal.reset();
    this.motion.clearPlanner();
    this.host.reset();
    this.card.reset();
    this.initMachine();
    this.events.reset();
    this.mode = 'booting';
    const boot = (): void => {
      this.bootTimer = null;
      this.mode = 'running';
      this.intake.clearBuffer();
      for (const line of this.dialect.banner(this.options, this.card.mounted)) this.sendLine(line);
      this.host.scheduleIdleWait();
      this.loop.pump();
    };
    if (this.options.bootMs > 0) this.bootTimer = this.clock.setTimeout(boot, this.options.bootMs);
    else boot();
  }

  /** Heaters and motion back to power-on values (heater temperatures and pins survive a reset). */
  private initMachine(): void {
    this.thermal.init();
    this.motion.init(this.thermal.hotends.length);
  }

  fatal(kind: FatalKind, heater: HeaterRef): void {
    const id = this.thermal.heaterFor(heater)?.id ?? String(heater);
    this.sendLine(`Error:${FATAL_TEXT[kind]}, system stopped! Heater_ID: ${id}`);
    this.kill();
  }

  kill(prefix?: string): void {
    if (prefix) this.sendLine(prefix);
    this.sendLine(`Error:${STR_ERR_KILLED}`);
    this.halt();
  }

  stop(): void {
    if (this.mode === 'killed') return;
    for (const h of this.thermal.all()) h.target = 0;
    this.sendLine(`Error:${STR_ERR_STOPPED}`);
    this.mode = 'stopped';
  }

  /** A G0-G3 while stopped gets the stopped message again (Marlin's `IsStopped()` check). */
  remindStopped(command: string): void {
    if (this.mode !== 'stopped') return;
    const g = command.indexOf('G');
    if (g >= 0 && [0, 1, 2, 3, 5].includes(strtol(command.slice(g + 1)))) this.sendLine(STR_ERR_STOPPED);
  }

  halt(): void {
    this.mode = 'killed';
    for (const h of this.thermal.all()) h.target = 0;
    this.loop.clear();
    this.motion.clearPlanner();
    this.intake.clearBuffer();
    this.clearTimers();
  }

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

  clearTimers(): void {
    if (this.bootTimer !== null) this.clock.clearTimeout(this.bootTimer);
    if (this.rxStallTimer !== null) this.clock.clearTimeout(this.rxStallTimer);
    this.bootTimer = this.rxStallTimer = null;
    this.loop.clearTimers();
    this.thermal.clearTimers();
    this.card.clearTimers();
    this.host.clearTimers();
  }

  isSilenced(): boolean {
    const silentUntil = this.faults.silentUntil;
    return silentUntil > 0 && silentUntil > this.clock.now();
  }

  notifyRxSpace(): void {
    this.events.rxSpace();
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
    this.events.output(`${text}\n`);
  }

  /**
   * Sends an ok line through the ok faults (a prepared replacement, a drop, a duplicate). An ok that carries a
   * report (`ok T:...` from M105, the VP's `ok X:...` from M114) is never duplicated.
   */
  sendOk(text: string): void {
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
}
