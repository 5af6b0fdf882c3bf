/** One result row for bench/run.mjs: a measurement, the baseline measured in the same run, and their ratio. */
export interface BenchRow {
  bench: string;
  case: string;
  value: number;
  unit: string;
  baseline?: number;
  ratio?: number;
  goal?: string;
  /** Lowest to highest of the rounds the value is the median of, e.g. `0.71-0.93`. */
  spread?: string;
}

export function report(row: BenchRow): void {
  process.stdout.write(`BENCH ${JSON.stringify(row)}\n`);
}

/** Ratio of two rates (higher is better for the first). */
export function ratio(value: number, baseline: number): number {
  return baseline === 0 ? 0 : value / baseline;
}

/** The middle value (the upper middle of an even count). */
export function median(values: readonly number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
}

/** `min-max` of the rounds, in the unit of the values, for the table's spread column. */
export function spread(values: readonly number[]): string {
  const digits = (n: number): string => (Math.abs(n) >= 100 ? n.toFixed(0) : n.toFixed(2));
  return `${digits(Math.min(...values))}-${digits(Math.max(...values))}`;
}
