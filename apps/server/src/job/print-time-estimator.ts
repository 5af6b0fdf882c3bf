// OctoPrint's print-time-left estimator (printer/estimation.py; spec octoprint-files-jobs §5.8), with its one
// arithmetic slip fixed: statistics and the running estimate are mixed as (1 − w)·S + w·E, not −w·S + w·E.

export type PrintTimeLeftOrigin = 'linear' | 'analysis' | 'estimate' | 'average' | 'mixed-analysis' | 'mixed-average';

/** What the file's history or analysis says the whole print takes. */
export interface PrintTimeStatistics {
  readonly seconds: number;
  readonly type: 'average' | 'analysis';
}

export interface EstimatorSettings {
  /** Samples averaged, and consecutive stable samples needed (250 for a host print). */
  readonly window: number;
  /** Seconds the running mean may move per sample and still count as stable. */
  readonly threshold: number;
}

const STATS_WEIGHING_UNTIL = 0.5;
const VALIDITY_RANGE = 0.15;
const FORCE_DUMB_FROM_PERCENT = 0.3;
const FORCE_DUMB_AFTER_SECONDS = 30 * 60;

/** Becomes stable once the running mean of `tc/p` samples stops moving; then answers the window's mean. */
class TotalTimeHelper {
  private count = 0;
  private mean = 0;
  private readonly recent: number[] = [];
  private readonly distances: number[] = [];
  private stableFor = 0;

  constructor(private readonly settings: EstimatorSettings) {}

  update(total: number): void {
    const previousMean = this.mean;
    this.count += 1;
    this.mean += (total - this.mean) / this.count;
    this.recent.push(total);
    if (this.recent.length > this.settings.window) this.recent.shift();
    // OctoPrint reads −1 before the window is full, which counts as in range for a threshold above 1.
    const distance = this.count <= this.settings.window ? -1 : Math.abs(this.mean - previousMean);
    this.distances.push(distance);
    if (this.distances.length > this.settings.window) this.distances.shift();
    const averageDistance = this.distances.reduce((sum, value) => sum + value, 0) / this.distances.length;
    this.stableFor = Math.abs(averageDistance) <= this.settings.threshold ? this.stableFor + 1 : 0;
  }

  get estimate(): number | undefined {
    if (this.stableFor < this.settings.window || this.recent.length === 0) return undefined;
    return this.recent.reduce((sum, value) => sum + value, 0) / this.recent.length;
  }
}

export class PrintTimeEstimator {
  private readonly helper: TotalTimeHelper;

  constructor(
    private readonly statistics: PrintTimeStatistics | undefined,
    settings: EstimatorSettings = { window: 250, threshold: 60 },
  ) {
    this.helper = new TotalTimeHelper(settings);
  }

  /**
   * One sample: `progress` 0..1, `printTime` seconds so far, `cleanPrintTime` the same without heat-ups. Returns
   * seconds left (whole, never negative) and where the number came from.
   */
  estimate(
    progress: number | null,
    printTime: number | null,
    cleanPrintTime: number,
  ): { left: number | null; origin: PrintTimeLeftOrigin | null } {
    if (progress === null || progress <= 0 || printTime === null) return { left: null, origin: null };
    if (progress >= 1) return { left: 0, origin: null };
    this.helper.update(cleanPrintTime / progress);
    const estimate = this.helper.estimate;
    const dumb = printTime / progress;
    let total: number | undefined = estimate;
    let origin: PrintTimeLeftOrigin = 'estimate';
    const stats = this.statistics;
    if (stats !== undefined) {
      if (estimate === undefined) {
        total = stats.seconds;
        origin = stats.type;
      } else {
        const weight = Math.min(progress / STATS_WEIGHING_UNTIL, 1);
        origin = progress < STATS_WEIGHING_UNTIL ? `mixed-${stats.type}` : 'estimate';
        total = (1 - weight) * stats.seconds + weight * estimate;
      }
    }
    let left: number | null;
    if (total !== undefined) {
      if (Math.abs(cleanPrintTime / total - progress) <= VALIDITY_RANGE && total > cleanPrintTime) {
        left = total - cleanPrintTime;
      } else {
        left = dumb - cleanPrintTime;
        origin = 'linear';
      }
    } else {
      origin = 'linear';
      left =
        progress > FORCE_DUMB_FROM_PERCENT || cleanPrintTime >= FORCE_DUMB_AFTER_SECONDS ? dumb - cleanPrintTime : null;
    }
    if (left === null || left < 0) return { left: null, origin: null };
    return { left: Math.trunc(left), origin };
  }
}
