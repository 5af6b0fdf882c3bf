import { describe, expect, it } from 'vitest';
import { PrintTimeEstimator } from './print-time-estimator.js';

const analysis = { seconds: 1000, type: 'analysis' } as const;

describe('PrintTimeEstimator (OctoPrint estimation.py, spec §5.8)', () => {
  it('has nothing before progress, and 0 (no origin) at the end', () => {
    const estimator = new PrintTimeEstimator(analysis);
    expect(estimator.estimate(null, 10, 10)).toEqual({ left: null, origin: null });
    expect(estimator.estimate(0, 10, 10)).toEqual({ left: null, origin: null });
    expect(estimator.estimate(1, 10, 10)).toEqual({ left: 0, origin: null });
  });

  it('answers from the analysis while the running estimate is unstable, heat-up left out', () => {
    expect(new PrintTimeEstimator(analysis).estimate(0.25, 250, 250)).toEqual({ left: 750, origin: 'analysis' });
    // 60 s of heat-up: still 750 s to go (a linear guess would say 310 / 0.25 - 250 = 990).
    expect(new PrintTimeEstimator(analysis).estimate(0.25, 310, 250)).toEqual({ left: 750, origin: 'analysis' });
  });

  it('falls back to linear when the statistics are more than 15 % off', () => {
    expect(new PrintTimeEstimator(analysis).estimate(0.5, 900, 900)).toEqual({ left: 900, origin: 'linear' });
  });

  it('without statistics guesses linearly only past 30 % or after 30 minutes', () => {
    expect(new PrintTimeEstimator(undefined).estimate(0.2, 100, 100)).toEqual({ left: null, origin: null });
    expect(new PrintTimeEstimator(undefined).estimate(0.4, 100, 100)).toEqual({ left: 150, origin: 'linear' });
    expect(new PrintTimeEstimator(undefined).estimate(0.1, 1800, 1800)).toEqual({ left: 16_200, origin: 'linear' });
  });

  it('mixes statistics and a stable estimate as (1 - w)·S + w·E (OctoPrint computes -w·S + w·E)', () => {
    const estimator = new PrintTimeEstimator(analysis, { window: 3, threshold: 60 });
    estimator.estimate(0.25, 250, 250);
    estimator.estimate(0.25, 250, 250);
    // Stable now with E = S = 1000: the mix is 1000, so 750 left; OctoPrint's sign slip would give 0 and `linear`.
    expect(estimator.estimate(0.25, 250, 250)).toEqual({ left: 750, origin: 'mixed-analysis' });
    expect(estimator.estimate(0.6, 600, 600)).toEqual({ left: expect.closeTo(400, 6) as number, origin: 'estimate' });
  });
});
