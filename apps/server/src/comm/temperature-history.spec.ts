import { describe, expect, it } from 'vitest';
import { HISTORY_SPAN_S, TemperatureHistory } from './temperature-history.js';

const sample = (time: number, actual: number) => ({ time, heaters: { tool0: { actual, target: 0 } } });

describe('TemperatureHistory', () => {
  it('keeps 30 minutes before the newest sample, oldest first, and drops what is older', () => {
    const history = new TemperatureHistory();
    const start = 1_700_000_000;
    for (let second = 0; second <= HISTORY_SPAN_S + 10; second += 5) history.add(sample(start + second, second));
    const times = history.all.map((entry) => entry.time);
    const newest = start + HISTORY_SPAN_S + 10;
    expect(times.at(-1)).toBe(newest);
    expect(times[0]).toBe(newest - HISTORY_SPAN_S);
    expect(times.every((time, index) => index === 0 || time > (times[index - 1] ?? 0))).toBe(true);
    expect(history.all).toHaveLength(HISTORY_SPAN_S / 5 + 1);
  });

  it('drops everything at once after a long gap', () => {
    const history = new TemperatureHistory();
    history.add(sample(1000, 20));
    history.add(sample(1002, 21));
    history.add(sample(1000 + 2 * HISTORY_SPAN_S, 22));
    expect(history.all.map((entry) => entry.heaters['tool0']?.actual)).toEqual([22]);
  });
});
