/** Time source for the simulator. Tests inject a {@link VirtualClock}; the CLI uses the {@link RealClock}. */
export interface SimClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Wall-clock time (ms since the clock was created) with Node timers. Timers are unref'd. */
export class RealClock implements SimClock {
  private readonly origin = performance.now();

  now(): number {
    return performance.now() - this.origin;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const handle = setTimeout(fn, Math.max(0, Math.ceil(ms)));
    handle.unref?.();
    return handle;
  }

  clearTimeout(handle: unknown): void {
    clearTimeout(handle as ReturnType<typeof setTimeout>);
  }
}

interface VirtualTimer {
  id: number;
  due: number;
  fn: () => void;
}

/** A deterministic clock: time only moves in {@link VirtualClock.advance}, which runs due timers in order. */
export class VirtualClock implements SimClock {
  private time: number;
  private nextId = 1;
  private timers: VirtualTimer[] = [];

  constructor(start = 0) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const timer: VirtualTimer = { id: this.nextId++, due: this.time + Math.max(0, ms), fn };
    this.timers.push(timer);
    return timer.id;
  }

  clearTimeout(handle: unknown): void {
    this.timers = this.timers.filter((timer) => timer.id !== handle);
  }

  /** Number of timers still pending. */
  get pending(): number {
    return this.timers.length;
  }

  /** Moves time forward by `ms`, running every timer that falls due (in due order, then creation order). */
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      const next = this.nextDue(end);
      if (!next) break;
      this.timers = this.timers.filter((timer) => timer !== next);
      this.time = Math.max(this.time, next.due);
      next.fn();
    }
    this.time = end;
  }

  /** Runs timers until `predicate()` holds or `maxMs` of virtual time have passed; returns the elapsed virtual ms. */
  runUntil(predicate: () => boolean, maxMs = 600_000, stepMs = 1): number {
    const start = this.time;
    while (!predicate()) {
      if (this.time - start >= maxMs) throw new Error(`VirtualClock.runUntil: condition not met within ${maxMs} ms`);
      const next = this.nextDue(start + maxMs);
      const target = next ? Math.max(next.due, this.time) : this.time + stepMs;
      this.advance(Math.max(0, target - this.time));
      if (!next && stepMs <= 0) break;
    }
    return this.time - start;
  }

  /** Like {@link advance}, but yields to the event loop between timers so promise chains can settle. */
  async advanceAsync(
    ms: number,
    settle: () => Promise<void> = () => new Promise((r) => setImmediate(r)),
  ): Promise<void> {
    const end = this.time + ms;
    await settle();
    for (;;) {
      const next = this.nextDue(end);
      if (!next) break;
      this.timers = this.timers.filter((timer) => timer !== next);
      this.time = Math.max(this.time, next.due);
      next.fn();
      await settle();
    }
    this.time = end;
    await settle();
  }

  private nextDue(limit: number): VirtualTimer | undefined {
    let best: VirtualTimer | undefined;
    for (const timer of this.timers) {
      if (timer.due > limit) continue;
      if (!best || timer.due < best.due || (timer.due === best.due && timer.id < best.id)) best = timer;
    }
    return best;
  }
}
