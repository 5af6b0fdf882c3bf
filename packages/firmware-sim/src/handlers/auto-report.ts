import type { Firmware } from '../firmware.js';

/**
 * A Marlin autoreport (M155 S<n> temperatures, M27 S<n> SD progress): every `interval` seconds the report line,
 * except while the firmware boots or when `line` has nothing to say. S0 stops it; a kill or reset ends it.
 */
export class AutoReport {
  private seconds = 0;
  private timer: unknown = null;

  constructor(
    private readonly fw: Firmware,
    /** The report line, or undefined to skip this tick (e.g. while a heat-up prints its own reports). */
    private readonly line: () => string | undefined,
  ) {}

  get interval(): number {
    return this.seconds;
  }

  /** `S<seconds>` as Marlin takes it: truncated, clamped to 0–60, counted from now. */
  set(seconds: number): void {
    this.seconds = Math.max(0, Math.min(60, Math.trunc(seconds)));
    this.schedule();
  }

  reset(): void {
    this.seconds = 0;
  }

  clearTimer(): void {
    if (this.timer !== null) this.fw.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(): void {
    const fw = this.fw;
    this.clearTimer();
    if (this.seconds <= 0 || fw.mode === 'killed') return;
    this.timer = fw.clock.setTimeout(() => {
      this.timer = null;
      const text = fw.mode === 'booting' ? undefined : this.line();
      if (text !== undefined) fw.sendLine(text);
      this.schedule();
    }, this.seconds * 1000);
  }
}
