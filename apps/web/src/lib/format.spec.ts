import { describe, expect, it } from 'vitest';
import { formatBytes, formatDuration, formatTemperature } from './format';
import { stripLogPrefix } from './serial-log-feed';

describe('formatting', () => {
  it.each([
    [0, '0 B'],
    [1023, '1023 B'],
    [1536, '1.5 KB'],
    [50 * 1024 * 1024, '50 MB'],
  ])('formatBytes(%d) = %s', (bytes, text) => expect(formatBytes(bytes)).toBe(text));

  it.each([
    [null, '–'],
    [-1, '–'],
    [12, '12s'],
    [245, '4m 05s'],
    [3720, '1h 02m'],
  ])('formatDuration(%s) = %s', (seconds, text) => expect(formatDuration(seconds)).toBe(text));

  it('shows unknown temperatures as a dash', () => {
    expect(formatTemperature(null)).toBe('–');
    expect(formatTemperature(209.96)).toBe('210.0°C');
  });

  it('strips the time stamp of serial.log lines and leaves other lines alone', () => {
    expect(stripLogPrefix('2026-11-20 14:03:12,345 - Send: N1 M110 N0*125')).toBe('Send: N1 M110 N0*125');
    expect(stripLogPrefix('Recv: ok')).toBe('Recv: ok');
  });
});
