import { describe, expect, it } from 'vitest';
import { ResendTracker, type ResendTrackerHost } from './resend-tracker.js';

const quietHost = (): ResendTrackerHost => ({
  printing: () => false,
  triggerError: () => undefined,
  log: () => undefined,
  warn: () => undefined,
});

describe('ResendTracker stats (OctoPrint resends: count, transmitted, ratio)', () => {
  it('counts requests against lines sent, the ratio in whole percent rounded down, per connection', () => {
    const tracker = new ResendTracker(quietHost());
    expect(tracker.stats).toEqual({ count: 0, transmitted: 0, ratio: 0 });
    for (let line = 0; line < 30; line += 1) tracker.lineSent();
    tracker.judge(5, true, 29, 30);
    tracker.judge(6, true, 29, 30);
    // 2 / 30 = 6.67 %
    expect(tracker.stats).toEqual({ count: 2, transmitted: 30, ratio: 6 });
    // A link reset (a new handshake on the same connection) keeps the counts; a new connection starts over.
    tracker.reset();
    expect(tracker.stats.count).toBe(2);
    tracker.restartCounts();
    expect(tracker.stats).toEqual({ count: 0, transmitted: 0, ratio: 0 });
  });

  it('counts a request for a line not sent yet (OctoPrint counts every request it receives)', () => {
    const tracker = new ResendTracker(quietHost());
    tracker.lineSent();
    expect(tracker.judge(2, false, 1, 2)).toBe('ignore');
    expect(tracker.stats).toEqual({ count: 1, transmitted: 1, ratio: 100 });
  });
});
