import type { Firmware } from './firmware.js';
import { parseCommand, type ParsedCommand } from './gcode.js';
import type { CommandRun, RingCommand, Running, SimState } from './types.js';

/**
 * Marlin's main loop: the command ring (BUFSIZE), one command executing at a time as a generator that yields the
 * clock time it waits for, the ok when it ends, and the busy keepalive while it blocks.
 */
export class CommandLoop {
  ring: RingCommand[] = [];
  /** Internal jobs (busy fault) that run before the ring. */
  priority: RingCommand[] = [];
  running: Running | null = null;
  private wakeTimer: unknown = null;
  private pumping = false;
  private families: CommandFamily[] | undefined;
  private repump = false;

  constructor(private readonly fw: Firmware) {}

  clear(): void {
    this.ring = [];
    this.priority = [];
    if (this.running) this.fw.clock.clearTimeout(this.running.keepaliveTimer);
    this.running = null;
  }

  clearTimers(): void {
    if (this.wakeTimer !== null) this.fw.clock.clearTimeout(this.wakeTimer);
    this.wakeTimer = null;
    if (this.running) this.fw.clock.clearTimeout(this.running.keepaliveTimer);
  }

  wakeRunning(): void {
    if (this.running) this.running.wake = this.fw.clock.now();
    this.pump();
  }

  /** Queues an internal job that blocks like a command (busy fault). */
  injectBusy(busy: string, gen: () => CommandRun): void {
    this.priority.push({ line: '', lineNumber: null, source: 'serial', internal: { busy, gen } });
    this.pump();
  }

  /** Ends an injected busy spell (and drops queued ones). */
  unbusy(): void {
    this.priority = [];
    if (this.running?.cmd.internal) {
      this.running.gen.return();
      this.wakeRunning();
    }
  }

  pump(): void {
    if (this.pumping) {
      this.repump = true;
      return;
    }
    const fw = this.fw;
    this.pumping = true;
    const rxBefore = fw.intake.buffered;
    try {
      do {
        this.repump = false;
        for (;;) {
          if (fw.mode === 'booting' || fw.mode === 'killed') break;
          if (this.running) {
            if (fw.clock.now() < this.running.wake) break;
            if (!this.step()) break;
            continue;
          }
          fw.intake.fill();
          fw.card.fill();
          if ((fw.mode as SimState) === 'killed') break;
          const next = this.priority.shift() ?? this.ring[0];
          if (!next) break;
          if (next.internal) this.ring.unshift(next);
          this.start(next);
        }
      } while (this.repump);
    } finally {
      this.pumping = false;
    }
    if (fw.intake.buffered < rxBefore) fw.notifyRxSpace();
  }

  private start(cmd: RingCommand): void {
    const fw = this.fw;
    const now = fw.clock.now();
    const running: Running = {
      cmd,
      gen: undefined as unknown as CommandRun,
      started: now,
      wake: now,
      skipOk: cmd.source === 'sd',
      okSent: false,
      busyText: fw.dialect.busyText('command', fw.options),
      keepaliveTimer: null,
      waiting: false,
    };
    this.running = running;
    if (cmd.internal) {
      running.gen = cmd.internal.gen();
      running.skipOk = true;
      running.busyText = cmd.internal.busy;
    } else if (fw.card.saving && cmd.source === 'serial') {
      running.gen = fw.card.saveLine(cmd);
    } else {
      const parsed = parseCommand(cmd.line);
      fw.executed.push({ lineNumber: cmd.lineNumber, command: parsed.text.trim(), time: now, source: cmd.source });
      if (fw.options.okBeforeCommandOutput && !running.skipOk && !blocksBeforeOk(parsed)) {
        running.okSent = true;
        fw.sendOk(this.okText(cmd));
      }
      const run = this.dispatch(parsed, running);
      if (run === null) {
        // Done without waiting (most commands): no generator to step through.
        if (this.running === running) this.finish(running);
        return;
      }
      running.gen = run;
    }
    this.step();
  }

  /** Hands the command to its family. Null when it already ran to the end. */
  private dispatch(cmd: ParsedCommand, running: Running): CommandRun | null {
    const fw = this.fw;
    this.families ??= [fw.motion, fw.thermal, fw.card, fw.host, fw.system];
    for (const family of this.families) {
      const run = family.handle(cmd, running);
      if (run === false) continue;
      return run === true ? null : run;
    }
    fw.system.unknown(cmd);
    return null;
  }

  /** Runs the current handler until it blocks or ends. Returns true when it ended. */
  private step(): boolean {
    const fw = this.fw;
    const running = this.running;
    if (!running) return true;
    for (;;) {
      const r = running.gen.next();
      if (this.running !== running) return true;
      if (r.done) break;
      const now = fw.clock.now();
      if (r.value <= now) continue;
      running.wake = r.value;
      if (!running.waiting) {
        running.waiting = true;
        fw.host.armKeepalive(running);
      }
      this.armWake(r.value);
      return false;
    }
    return this.finish(running);
  }

  /** The handler ended: the ok (unless a stall fault holds it back), and the command leaves the ring. */
  private finish(running: Running): boolean {
    const fw = this.fw;
    if (fw.faults.stallOkMs > 0 && !running.skipOk && !running.okSent) {
      const until = fw.clock.now() + fw.faults.stallOkMs;
      fw.faults.stallOkMs = 0;
      const clock = fw.clock;
      running.busyText = null;
      running.gen = (function* () {
        while (clock.now() < until) yield until;
      })();
      return this.step();
    }
    if (running.keepaliveTimer !== null) fw.clock.clearTimeout(running.keepaliveTimer);
    this.running = null;
    if (!running.skipOk && !running.okSent) fw.sendOk(this.okText(running.cmd));
    const index = this.ring.indexOf(running.cmd);
    if (index >= 0) this.ring.splice(index, 1);
    if (running.cmd.source === 'sd') fw.card.maybeDone();
    return true;
  }

  /** Wakes the firmware loop at `at`. Real timers may fire a little early, so re-arm until the time has come. */
  private armWake(at: number): void {
    const clock = this.fw.clock;
    if (this.wakeTimer !== null) clock.clearTimeout(this.wakeTimer);
    this.wakeTimer = null;
    if (!Number.isFinite(at)) return;
    this.wakeTimer = clock.setTimeout(() => {
      this.wakeTimer = null;
      if (this.running && this.running.wake === at && clock.now() < at) this.armWake(at);
      else this.pump();
    }, at - clock.now());
  }

  private okText(cmd: RingCommand): string {
    const options = this.fw.options;
    if (!options.advancedOk) return 'ok';
    const n = /^N[-+]?\d*/.exec(cmd.line);
    return `ok${n ? ` ${n[0]}` : ''} P${this.fw.motion.freeBlocks()} B${options.bufsize - this.ring.length}`;
  }
}

/** One family of commands: false when the command is not its own, true when done, else the run to step. */
interface CommandFamily {
  handle(cmd: ParsedCommand, running: Running): CommandRun | boolean;
}

/** Commands that do not get an early ok with okBeforeCommandOutput (they block first). */
function blocksBeforeOk(cmd: ParsedCommand): boolean {
  if (cmd.letter === 'G') return [0, 1, 2, 3, 4, 28, 29].includes(cmd.code ?? -1);
  if (cmd.letter === 'M') return [109, 190, 191, 400, 999].includes(cmd.code ?? -1);
  return false;
}
