import { describe, expect, it } from 'vitest';
import { sdShortName } from './sd-names.js';

describe('sdShortName (8.3 names on the card)', () => {
  it.each([
    ['test12345.gcode', 'test12~1.gco'],
    ['Wölfe 🐺.gcode', 'wolfe_~1.gco'],
    ['cube.gcode', 'cube.gco'],
    ['CUBE.G', 'cube.g'],
    ['🐺.gcode', 'file~1.gco'],
  ])('%j → %j', (name, short) => {
    expect(sdShortName(name, new Set())).toBe(short);
  });

  it('is unique among the names already on the card', () => {
    expect(sdShortName('test12345.gcode', new Set(['test12~1.gco', 'test12~2.gco']))).toBe('test12~3.gco');
    expect(sdShortName('cube.gcode', new Set(['cube.gco']))).toBe('cube~1.gco');
  });
});
