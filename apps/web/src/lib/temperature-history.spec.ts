import type { TemperatureHistoryEntry } from '@hotend/sdk';
import { describe, expect, it } from 'vitest';
import { sampleFromHistory, sortHeaters, TemperatureHistory } from './temperature-history';

const reading = (actual: number, target: number) => ({ actual, target });

describe('TemperatureHistory', () => {
  it('orders heaters tools first, then bed, then chamber', () => {
    expect(sortHeaters(['chamber', 'bed', 'tool10', 'tool2', 'tool0'])).toEqual([
      'tool0',
      'tool2',
      'tool10',
      'bed',
      'chamber',
    ]);
  });

  it('turns the server history into samples and columns, with targets of 0 as gaps', () => {
    const history = new TemperatureHistory();
    // The generated type intersects `time` with an index signature of heaters, which no literal satisfies.
    const entries = [
      { time: 20, tool0: reading(25, 210), bed: reading(22, 0) },
      { time: 10, tool0: reading(21, 0), bed: reading(21, 60) },
    ] as unknown as TemperatureHistoryEntry[];
    history.addAll(entries.map(sampleFromHistory));
    expect(history.heaters).toEqual(['tool0', 'bed']);
    expect(history.columns(history.heaters)).toEqual([
      [10, 20],
      [21, 25],
      [null, 210],
      [21, 22],
      [60, null],
    ]);
  });

  it('drops samples that are not newer than the last one, so a reloaded history is not doubled', () => {
    const history = new TemperatureHistory();
    expect(history.add({ time: 5, heaters: { tool0: reading(20, 0) } })).toBe(true);
    expect(history.add({ time: 5, heaters: { tool0: reading(99, 0) } })).toBe(false);
    expect(history.add({ time: 4, heaters: { tool0: reading(99, 0) } })).toBe(false);
    expect(history.length).toBe(1);
  });

  it('keeps only the window and shows a heater missing from a sample as a gap', () => {
    const history = new TemperatureHistory(60);
    history.add({ time: 0, heaters: { tool0: reading(20, 0) } });
    history.add({ time: 30, heaters: { tool0: reading(30, 0), bed: reading(40, 0) } });
    history.add({ time: 90, heaters: { tool0: reading(50, 0) } });
    expect(history.columns(['tool0', 'bed'])).toEqual([
      [30, 90],
      [30, 50],
      [null, null],
      [40, null],
      [null, null],
    ]);
  });
});
