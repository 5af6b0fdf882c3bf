import { describe, expect, it } from 'vitest';
import { checksum, formatLine } from './checksum.js';

describe('checksum / formatLine', () => {
  it('computes the worked values of the spec', () => {
    expect(formatLine(0, 'M110 N0')).toBe('N0 M110 N0*125');
    expect(formatLine(1, 'M115')).toBe('N1 M115*39');
    expect(formatLine(2, 'M21')).toBe('N2 M21*18');
    expect(formatLine(4, 'G28')).toBe('N4 G28*23');
    expect(formatLine(5, 'G1 X10')).toBe('N5 G1 X10*84');
    expect(formatLine(12, 'G1 X10')).toBe('N12 G1 X10*98');
  });

  it('is the XOR of every byte', () => {
    expect(checksum('')).toBe(0);
    expect(checksum('A')).toBe(65);
    expect(checksum('AA')).toBe(0);
  });
});
