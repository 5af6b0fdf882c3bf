import type { HistoricTemperatureData, TemperatureHistoryEntry } from '@hotend/sdk';

/** One reading of every heater at one time (epoch seconds). */
export interface TemperatureSample {
  readonly time: number;
  readonly heaters: Readonly<Record<string, HistoricTemperatureData>>;
}

/** uPlot's column layout: times, then actual and target of each heater in `heaters` order. */
export type ChartColumns = [number[], ...(number | null)[][]];

/** Heaters in display order: tools by number, then bed, then chamber. */
export function sortHeaters(names: Iterable<string>): string[] {
  const rank = (name: string): number => (name.startsWith('tool') ? 0 : name === 'bed' ? 1 : 2);
  return [...new Set(names)].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b, undefined, { numeric: true }));
}

export function sampleFromHistory(entry: TemperatureHistoryEntry): TemperatureSample {
  const heaters: Record<string, HistoricTemperatureData> = {};
  for (const [name, value] of Object.entries(entry)) {
    if (name !== 'time' && typeof value === 'object' && value !== null) heaters[name] = value;
  }
  return { time: entry.time, heaters };
}

/**
 * A bounded, time-ordered list of readings: the history the server sends on load, then one sample per update.
 * Samples at or before the newest time are dropped, so a reload of the history never doubles points.
 */
export class TemperatureHistory {
  private samples: TemperatureSample[] = [];

  constructor(private readonly windowSeconds = 30 * 60) {}

  get length(): number {
    return this.samples.length;
  }

  get heaters(): string[] {
    return sortHeaters(this.samples.flatMap((sample) => Object.keys(sample.heaters)));
  }

  add(sample: TemperatureSample): boolean {
    const newest = this.samples.at(-1);
    if (newest !== undefined && sample.time <= newest.time) return false;
    this.samples.push(sample);
    const oldestKept = sample.time - this.windowSeconds;
    let drop = 0;
    while (drop < this.samples.length && (this.samples[drop]?.time ?? oldestKept) < oldestKept) drop += 1;
    if (drop > 0) this.samples.splice(0, drop);
    return true;
  }

  addAll(samples: Iterable<TemperatureSample>): void {
    for (const sample of [...samples].sort((a, b) => a.time - b.time)) this.add(sample);
  }

  clear(): void {
    this.samples = [];
  }

  /** Columns for uPlot; a heater missing from a sample is a gap (null), a target of 0 is shown as off (null). */
  columns(heaters: readonly string[]): ChartColumns {
    const times = this.samples.map((sample) => sample.time);
    const series: (number | null)[][] = [];
    for (const name of heaters) {
      series.push(this.samples.map((sample) => sample.heaters[name]?.actual ?? null));
      series.push(
        this.samples.map((sample) => {
          const target = sample.heaters[name]?.target ?? null;
          return target === null || target <= 0 ? null : target;
        }),
      );
    }
    return [times, ...series];
  }
}
