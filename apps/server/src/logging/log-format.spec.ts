import { describe, expect, it } from 'vitest';
import { escapeControlCharacters, formatPinoRecord, formatSerialLine } from './log-format.js';

describe('log line format', () => {
  const time = new Date(2026, 10, 20, 14, 3, 12, 45).getTime();

  it('formats a pino record as time - logger - LEVEL - message', () => {
    expect(formatPinoRecord(JSON.stringify({ level: 40, time, name: 'hotend.comm', msg: 'slow' }))).toBe(
      '2026-11-20 14:03:12,045 - hotend.comm - WARN - slow\n',
    );
  });

  it('appends extra fields as JSON and an error as its escaped stack', () => {
    const record = { level: 50, time, name: 'hotend.http', msg: 'failed', port: 3, err: { stack: 'Error: x\n  at y' } };
    expect(formatPinoRecord(JSON.stringify(record))).toBe(
      '2026-11-20 14:03:12,045 - hotend.http - ERROR - failed: Error: x\\n  at y {"port":3}\n',
    );
  });

  it('escapes line breaks and control characters but keeps tabs and other text', () => {
    expect(escapeControlCharacters('a\r\nb\tc\u0007d\u0085e\u2028f é')).toBe('a\\r\\nb\tc\\u0007d\\u0085e\\u2028f é');
    expect(formatSerialLine(time, 'Recv', 'ok\nT:210')).toBe('2026-11-20 14:03:12,045 - Recv: ok\\nT:210\n');
  });
});
