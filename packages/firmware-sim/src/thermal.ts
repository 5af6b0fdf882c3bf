export type HeaterKind = 'hotend' | 'bed' | 'chamber';

/** Below this distance to the target the temperature converges exponentially instead of linearly. */
export const THERMAL_DELTA = 1;

/** One heater with the VP's simple model: linear at the heating/cooling rate, exponential near the target. */
export class Heater {
  current: number;
  target = 0;
  pinned: number | null = null;
  private last: number;

  constructor(
    readonly kind: HeaterKind,
    readonly index: number,
    private readonly model: { heatingRate: number; coolingRate: number; ambient: () => number },
    now: number,
  ) {
    this.current = model.ambient();
    this.last = now;
  }

  /** Heater id as Marlin prints it in fatal errors: the hotend index, `bed` or `chamber`. */
  get id(): string {
    return this.kind === 'hotend' ? String(this.index) : this.kind;
  }

  private goal(): number {
    return this.target > 0 ? this.target : this.model.ambient();
  }

  private rate(goal: number): number {
    return goal > this.current ? this.model.heatingRate : this.model.coolingRate;
  }

  update(now: number): void {
    let dt = Math.max(0, (now - this.last) / 1000);
    this.last = now;
    if (this.pinned !== null) {
      this.current = this.pinned;
      return;
    }
    const goal = this.goal();
    const diff = goal - this.current;
    const sign = diff >= 0 ? 1 : -1;
    let d = Math.abs(diff);
    if (d > THERMAL_DELTA) {
      const rate = this.rate(goal);
      const linear = (d - THERMAL_DELTA) / rate;
      if (dt <= linear) {
        this.current += sign * rate * dt;
        return;
      }
      dt -= linear;
      d = THERMAL_DELTA;
    }
    d *= Math.exp(-dt);
    this.current = goal - sign * d;
  }

  /** Seconds until the temperature is within `window` of `goal` (Infinity when pinned outside it). */
  timeToWithin(goal: number, window: number): number {
    if (this.pinned !== null) return Math.abs(this.pinned - goal) <= window ? 0 : Infinity;
    if (goal !== this.goal()) return Infinity;
    const d = Math.abs(goal - this.current);
    if (d <= window) return 0;
    const rate = this.rate(goal);
    if (window >= THERMAL_DELTA) return (d - window) / rate;
    const linear = d > THERMAL_DELTA ? (d - THERMAL_DELTA) / rate : 0;
    return linear + Math.log(Math.min(d, THERMAL_DELTA) / window);
  }

  /** PWM power as M105 prints it (0..127). */
  power(window: number): number {
    if (this.target <= 0) return 0;
    return this.current < this.target - window ? 127 : 32;
  }
}
