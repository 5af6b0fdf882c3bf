import type { Firmware } from '../firmware.js';
import { num, type ParsedCommand } from '../gcode.js';
import type { CommandRun, Running } from '../types.js';

/**
 * Host keepalive: the `busy:` lines while a command blocks (M113 sets their interval), and the `wait` lines a
 * NO_TIMEOUTS firmware sends while idle.
 */
export class HostKeepalive {
  private interval: number;
  private idleTimer: unknown = null;

  constructor(private readonly fw: Firmware) {
    this.interval = fw.options.keepaliveInterval;
  }

  reset(): void {
    this.interval = this.fw.options.keepaliveInterval;
  }

  clearTimers(): void {
    if (this.idleTimer !== null) this.fw.clock.clearTimeout(this.idleTimer);
    this.idleTimer = null;
  }

  handle(cmd: ParsedCommand): CommandRun | boolean {
    if (cmd.letter !== 'M' || cmd.code !== 113) return false;
    const s = num(cmd, 'S');
    if (s !== undefined) this.interval = Math.max(0, Math.min(60, Math.trunc(s)));
    else {
      const reply = this.fw.dialect.keepaliveReport(this.interval);
      if (reply !== null) this.fw.sendLine(reply);
    }
    return true;
  }

  /** Bytes arrived: the idle `wait` restarts its count. */
  dataReceived(): void {
    this.scheduleIdleWait();
  }

  /** `wait` every idleWaitMs while nothing arrives and nothing is queued. */
  scheduleIdleWait(): void {
    const fw = this.fw;
    this.clearTimers();
    if (fw.options.idleWaitMs <= 0 || !fw.portOpen || fw.mode === 'killed') return;
    this.idleTimer = fw.clock.setTimeout(() => {
      this.idleTimer = null;
      if (fw.mode !== 'booting' && fw.loop.running === null && fw.loop.ring.length === 0 && fw.intake.buffered === 0) {
        fw.sendLine('wait');
      }
      this.scheduleIdleWait();
    }, fw.options.idleWaitMs);
  }

  /** Starts the `busy:` keepalive of a command that began to wait. */
  armKeepalive(running: Running): void {
    const fw = this.fw;
    const interval = this.interval * 1000;
    if (!running.busyText || interval <= 0) return;
    const fire = (): void => {
      running.keepaliveTimer = null;
      if (fw.loop.running !== running || fw.mode === 'killed') return;
      if (running.busyText && this.interval > 0) fw.sendLine(running.busyText);
      running.keepaliveTimer = fw.clock.setTimeout(fire, this.interval * 1000);
    };
    const due = running.started + interval - fw.clock.now();
    running.keepaliveTimer = fw.clock.setTimeout(fire, Math.max(0, due));
  }
}
