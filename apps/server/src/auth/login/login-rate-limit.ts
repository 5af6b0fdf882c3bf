/** Fixed windows (length ms → allowed failures), OctoPrint's `3/minute; 5/10 minutes; 10/hour`. */
const WINDOWS: readonly (readonly [number, number])[] = [
  [60_000, 3],
  [600_000, 5],
  [3_600_000, 10],
];
/** Addresses remembered at most; beyond it the oldest are forgotten, so a flood of addresses stays bounded. */
const MAX_ADDRESSES = 10_000;

/** Counts failed active logins per address in fixed windows; only failures count, as in OctoPrint. */
export class LoginRateLimit {
  /** address → per window: [window start, failures] */
  private readonly failures = new Map<string, [number, number][]>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Whether another attempt from this address must be refused with 429. */
  isLimited(address: string): boolean {
    const counts = this.current(address);
    return WINDOWS.some(([, allowed], index) => (counts[index]?.[1] ?? 0) >= allowed);
  }

  recordFailure(address: string): void {
    const counts = this.current(address);
    for (const count of counts) count[1] += 1;
    this.failures.delete(address);
    this.failures.set(address, counts);
    if (this.failures.size > MAX_ADDRESSES) this.failures.delete(this.failures.keys().next().value as string);
  }

  private current(address: string): [number, number][] {
    const now = this.now();
    const known = this.failures.get(address);
    return WINDOWS.map(([length], index) => {
      const start = now - (now % length);
      const count = known?.[index];
      return count !== undefined && count[0] === start ? count : [start, 0];
    });
  }
}
