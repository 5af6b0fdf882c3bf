import { RealClock, type SimClock } from './clock.js';
import { type FatalKind, type HeaterRef, runDebugCommand, SimFaults } from './faults.js';
import { Firmware } from './firmware.js';
import { resolveOptions, type MarlinSimOptions, type ResolvedOptions } from './options.js';
import {
  waitUntil,
  type ExecutedCommand,
  type HeaterState,
  type Position,
  type SdState,
  type SimState,
} from './types.js';

export type { FatalKind, HeaterRef } from './faults.js';
export { SimFaults } from './faults.js';
export type { ExecutedCommand, HeaterState, Position, SdState, SimState } from './types.js';

/**
 * A Marlin 2.1 firmware imitation: bytes in ({@link receive}), text out ({@link onOutput}), time from a {@link SimClock}.
 * No I/O of its own. The work is done by {@link Firmware} and its parts; this is the face transports and tests use.
 */
export class MarlinSim {
  readonly clock: SimClock;
  readonly options: ResolvedOptions;
  readonly faults: SimFaults;
  private readonly fw: Firmware;
  private readonly outputListeners = new Set<(chunk: string) => void>();
  private readonly rxSpaceListeners = new Set<() => void>();
  private readonly disconnectListeners = new Set<() => void>();
  private readonly resetListeners = new Set<() => void>();

  constructor(options: MarlinSimOptions = {}) {
    this.options = resolveOptions(options);
    this.clock = options.clock ?? new RealClock();
    this.faults = new SimFaults(this);
    this.faults.noise(0, this.options.seed);
    this.fw = new Firmware(this.options, this.clock, this, {
      output: (chunk) => {
        const listeners = this.outputListeners;
        // One listener (a transport) is the usual case: no copy of the set per line.
        if (listeners.size === 1) listeners.values().next().value?.(chunk);
        else for (const listener of [...listeners]) listener(chunk);
      },
      rxSpace: () => {
        for (const listener of [...this.rxSpaceListeners]) listener();
      },
      reset: () => {
        for (const listener of this.resetListeners) listener();
      },
    });
  }

  // ---------------------------------------------------------------- state

  get dialect(): 'marlin' | 'octoprint-vp' {
    return this.options.dialect;
  }

  /** Every command executed so far, in order (the oracle). */
  get executed(): readonly ExecutedCommand[] {
    return this.fw.executed;
  }

  get state(): SimState {
    return this.fw.mode;
  }

  get isOpen(): boolean {
    return this.fw.portOpen;
  }

  get lastLineNumber(): number {
    return this.fw.intake.lastN;
  }

  /** Free bytes in the RX buffer. */
  get rxFree(): number {
    return this.fw.intake.free;
  }

  /** Commands in the ring (including the executing one). */
  get queuedCommands(): number {
    return this.fw.loop.ring.length;
  }

  /** Moves in the planner (including the one being executed). */
  get plannerMoves(): number {
    return this.fw.motion.plannedMoves;
  }

  /** True while a command is blocked (waiting for the planner, a heater, a dwell...). */
  get busy(): boolean {
    return this.fw.loop.running !== null;
  }

  get position(): Position {
    return { ...this.fw.motion.pos };
  }

  get activeExtruder(): number {
    return this.fw.motion.activeTool;
  }

  get feedratePercent(): number {
    return this.fw.motion.feedPercent;
  }

  get temperatures(): { tools: HeaterState[]; bed: HeaterState | null; chamber: HeaterState | null } {
    return this.fw.thermal.snapshot();
  }

  get temperatureAutoreportInterval(): number {
    return this.fw.thermal.autoreportInterval;
  }

  get sd(): SdState {
    return this.fw.card.state();
  }

  /** Files on the simulated card (long paths). */
  get sdFiles(): Record<string, string> {
    return this.fw.card.files();
  }

  /** The M115 capability list after profile and overrides. */
  capabilityList(): Array<[string, boolean]> {
    return this.fw.system.capabilityList();
  }

  // ---------------------------------------------------------------- transport

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
    this.fw.portOpen = true;
    if (this.options.resetOnOpen) this.reset();
    else this.fw.host.scheduleIdleWait();
  }

  /** The port was closed. The board keeps its state (a reset board boots again on the next open). */
  close(): void {
    this.fw.portOpen = false;
    this.fw.host.clearTimers();
  }

  /**
   * Bytes from the host. Returns how many were accepted into the RX buffer (0 when it is full: backpressure).
   * While booting, killed or silenced the bytes are accepted and dropped, as a UART would.
   */
  receive(data: Buffer | string): number {
    const bytes =
      typeof data === 'string'
        ? Buffer.from(data, 'latin1')
        : Buffer.isBuffer(data)
          ? data
          : Buffer.from(data as Uint8Array); // a plain Uint8Array from JavaScript callers
    return this.fw.receive(bytes);
  }

  /** Full reset: banner, last N = 0, queues, planner, targets and reports cleared. */
  reset(): void {
    this.fw.reset();
  }

  /** Runs a fault command as if `!!DEBUG:<command>` had arrived on the serial line (e.g. `drop_next_ok`). */
  debug(command: string): void {
    runDebugCommand(this, command.replace(/^!!DEBUG:?/, '').trim());
  }

  /** Stops every timer (for disposal). The simulator stays usable. */
  dispose(): void {
    this.fw.clearTimers();
    this.fw.portOpen = false;
  }

  /** Sends one raw line (with `\n`) through the output faults. */
  sendLine(line: string): void {
    this.fw.sendLine(line);
  }

  // ---------------------------------------------------------------- fault hooks (used by SimFaults)

  /** @internal */
  fatal(kind: FatalKind, heater: HeaterRef): void {
    this.fw.fatal(kind, heater);
  }

  /** @internal */
  kill(prefix?: string): void {
    this.fw.kill(prefix);
  }

  /** @internal */
  stop(): void {
    this.fw.stop();
  }

  /** @internal */
  disconnect(): void {
    for (const listener of [...this.disconnectListeners]) listener();
  }

  /** @internal */
  stallRx(ms: number): void {
    this.fw.stallRx(ms);
  }

  /** @internal */
  injectBusy(ms: number, kind: string): void {
    const end = this.clock.now() + ms;
    this.fw.loop.injectBusy(`echo:busy: ${kind}`, () => waitUntil(this.clock, end));
  }

  /** @internal */
  pinTemp(ref: HeaterRef, temperature: number | null): void {
    this.fw.thermal.pin(ref, temperature);
  }

  /** @internal */
  setRxBufferSize(bytes: number): void {
    this.fw.intake.setBufferSize(bytes);
    this.fw.notifyRxSpace();
  }

  /** @internal */
  setAmbient(temperature: number): void {
    this.fw.thermal.setAmbient(temperature);
  }

  /** @internal Ends an injected busy spell (and drops queued ones). */
  unbusy(): void {
    this.fw.loop.unbusy();
  }

  /** @internal */
  setPlannerBlocks(blocks: number): void {
    (this.options as { plannerBlocks: number }).plannerBlocks = Math.max(2, blocks);
    this.fw.loop.wakeRunning();
  }
}
