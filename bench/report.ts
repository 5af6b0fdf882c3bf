/** One result row for bench/run.mjs: a measurement, the baseline measured in the same run, and their ratio. */
export interface BenchRow {
  bench: string;
  case: string;
  value: number;
  unit: string;
  baseline?: number;
  ratio?: number;
  goal?: string;
}

export function report(row: BenchRow): void {
  process.stdout.write(`BENCH ${JSON.stringify(row)}\n`);
}

/** Ratio of two rates (higher is better for the first). */
export function ratio(value: number, baseline: number): number {
  return baseline === 0 ? 0 : value / baseline;
}
