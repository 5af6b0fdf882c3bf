import type { TemperatureSample } from './printer-comm.types.js';

/** How far back GET /api/printer?history=true reaches (OctoPrint keeps 30 minutes). */
export const HISTORY_SPAN_S = 30 * 60;

/** The temperature samples of the last 30 minutes, oldest first, pruned as new ones arrive. */
export class TemperatureHistory {
  private readonly samples: TemperatureSample[] = [];

  get all(): readonly TemperatureSample[] {
    return this.samples;
  }

  add(sample: TemperatureSample): void {
    this.samples.push(sample);
    const cutoff = sample.time - HISTORY_SPAN_S;
    let drop = 0;
    while (drop < this.samples.length && (this.samples[drop]?.time ?? 0) < cutoff) drop += 1;
    if (drop > 0) this.samples.splice(0, drop);
  }
}
