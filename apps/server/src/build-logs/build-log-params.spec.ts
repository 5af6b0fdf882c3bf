import { describe, expect, it } from 'vitest';
import { parseExitCodes } from './build-log-params.js';

describe('parseExitCodes', () => {
  it.each([
    ['1,2', { include: [1, 2], exclude: [] }],
    ['!0', { include: [], exclude: [0] }],
    ['!1,!2', { include: [], exclude: [1, 2] }],
    ['0,!1', { include: [0], exclude: [1] }],
    ['-1,!255', { include: [-1], exclude: [255] }],
  ])('splits %s into includes and excludes', (text, expected) => {
    expect(parseExitCodes(text)).toEqual(expected);
  });

  it.each([
    ['1,,2', 'contains an empty item; use a comma-separated list such as 1,2 or !0'],
    ['', 'contains an empty item; use a comma-separated list such as 1,2 or !0'],
    ['x', '"x" is not an exit code (an integer, optionally prefixed with ! to exclude it)'],
    ['2147483648', '"2147483648" is not an exit code (an integer, optionally prefixed with ! to exclude it)'],
    [' 1', '" 1" is not an exit code (an integer, optionally prefixed with ! to exclude it)'],
  ])('rejects %j', (text, message) => {
    expect(parseExitCodes(text)).toBe(message);
  });

  it('rejects more than 64 items', () => {
    expect(parseExitCodes(Array.from({ length: 65 }, (_, i) => String(i)).join(','))).toBe(
      'at most 64 items are allowed',
    );
  });
});
