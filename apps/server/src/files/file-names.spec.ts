import { describe, expect, it } from 'vitest';
import { InvalidPathError, isMachineCode, parseStoredPath, sanitizeName, sanitizePath } from './file-names.js';

describe('sanitizeName (OctoPrint storage rules, spec §1.5)', () => {
  it.each([
    ['a?b.gcode', 'ab.gcode'],
    ['x:y.gcode', 'xy.gcode'],
    ['.hidden.gcode', 'hidden.gcode'],
    ['...gcode', 'gcode'],
    ['..', ''],
    ['trail.gcode.', 'trail.gcode'],
    ['my part.gcode', 'my part.gcode'],
    ['ümläut 🐢.gcode', 'ümläut 🐢.gcode'],
    ['con.gcode', 'con_.gcode'],
    ['LPT1', 'LPT1_'],
    ['  spaced.gcode  ', 'spaced.gcode'],
    ['a;b|c&d$e*f<g>h"i.gcode', 'abcdefghi.gcode'],
    ['tab\there.gcode', 'tabhere.gcode'],
  ])('%j → %j', (input, stored) => {
    expect(sanitizeName(input)).toBe(stored);
  });

  it('refuses separators and NUL instead of sanitising them away', () => {
    for (const input of ['a/b.gcode', 'a\\b.gcode', 'nul\u0000.gcode']) {
      expect(() => sanitizeName(input)).toThrow(InvalidPathError);
    }
  });

  it('cuts long names to 255 bytes in the stem, keeping the extension (OctoPrint may cut it)', () => {
    const name = sanitizeName(`${'ü'.repeat(200)}.gcode`);
    expect(Buffer.byteLength(name)).toBeLessThanOrEqual(255);
    expect(name.endsWith('.gcode')).toBe(true);
  });
});

describe('sanitizePath', () => {
  it('splits, sanitises and drops empty and "." segments', () => {
    expect(sanitizePath('a/./b?/c.gcode')).toEqual(['a', 'b', 'c.gcode']);
    expect(sanitizePath('')).toEqual([]);
    expect(sanitizePath('./x.gcode')).toEqual(['x.gcode']);
  });

  it.each(['../x.gcode', 'a/../../x', 'a/../b', '/etc/passwd', 'a\\b', 'a\u0000b', 'a/..'])('refuses %j', (input) => {
    expect(() => sanitizePath(input)).toThrow(InvalidPathError);
  });
});

describe('parseStoredPath (URL paths are validated, never rewritten)', () => {
  it('accepts sanitised segments and refuses anything else', () => {
    expect(parseStoredPath('parts/bracket.gcode')).toEqual(['parts', 'bracket.gcode']);
    expect(parseStoredPath('a?b.gcode')).toBeUndefined();
    expect(parseStoredPath('../x.gcode')).toBeUndefined();
    expect(parseStoredPath('.hidden.gcode')).toBeUndefined();
    expect(parseStoredPath('a\\b.gcode')).toBeUndefined();
  });
});

describe('isMachineCode', () => {
  it('takes .gcode .gco .g (any case) and nothing else', () => {
    expect(['a.gcode', 'A.GCO', 'b.g', 'c.gc~'].every(isMachineCode)).toBe(true);
    expect(['a.stl', 'gcode', 'a.txt', 'a.gcode.bak'].some(isMachineCode)).toBe(false);
  });
});
