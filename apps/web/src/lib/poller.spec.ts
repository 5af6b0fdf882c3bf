import { afterEach, describe, expect, it, vi } from 'vitest';
import { Poller } from './poller';

afterEach(() => {
  vi.useRealTimers();
});

describe('Poller', () => {
  it('reads at once, then every interval after the read finished, until stopped', async () => {
    vi.useFakeTimers();
    let reads = 0;
    const poller = new Poller(1000, () => {
      reads += 1;
      return Promise.resolve();
    });
    poller.start();
    poller.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(reads).toBe(1);
    await vi.advanceTimersByTimeAsync(2500);
    expect(reads).toBe(3);
    poller.stop();
    await vi.advanceTimersByTimeAsync(5000);
    expect(reads).toBe(3);
  });
});
