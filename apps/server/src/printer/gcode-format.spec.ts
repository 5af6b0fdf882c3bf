import { describe, expect, it } from 'vitest';
import { formatGcodeNumber, PlaceholderError, substitutePlaceholders, toPercent } from './gcode-format.js';

describe(formatGcodeNumber.name, () => {
  it.each([
    [10, '10'],
    [-5, '-5'],
    [0.02, '0.02'],
    [0.00001, '0.00001'],
    [220.5, '220.5'],
    [1 / 3, '0.333333'],
    [-0.0000001, '0'],
  ])('formats %d as %s', (value, text) => {
    expect(formatGcodeNumber(value)).toBe(text);
  });
});

describe(toPercent.name, () => {
  it.each([
    [105, 105],
    [1.05, 105],
    [1.15, 114],
    [0.5, 50],
    [1, 1],
  ])('turns %d into %d %%', (factor, percent) => {
    expect(toPercent(factor)).toBe(percent);
  });
});

describe(substitutePlaceholders.name, () => {
  it('fills %(name)s, %(name)d and %(name)f and unescapes %%', () => {
    expect(substitutePlaceholders('M104 S%(t)s T%(n)d X%(x)f 5%%', { t: 210, n: '1', x: 1.5 })).toBe(
      'M104 S210 T1 X1.500000 5%',
    );
  });

  it.each([
    ['M117 %(missing)s', 'no parameter named "missing" for %(missing)s'],
    ['M117 100%', 'a lone % is not a placeholder; write %(name)s, or %% for a literal %'],
    ['M117 %(t)x', 'a lone % is not a placeholder; write %(name)s, or %% for a literal %'],
    ['G1 E%(word)d', 'parameter "word" is not a number for %(word)d'],
  ])('refuses %s', (line, message) => {
    expect(() => substitutePlaceholders(line, { t: 1, word: 'abc' })).toThrow(new PlaceholderError(message));
  });
});
