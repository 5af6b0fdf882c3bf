import { describe, expect, it } from 'vitest';
import { jsonShapeProblem, MAX_JSON_DEPTH, MAX_JSON_KEYS } from './json-body.js';

describe('jsonShapeProblem', () => {
  it('lets ordinary bodies through, as deep and as wide as the limits', () => {
    expect(jsonShapeProblem('{"command":"target","targets":{"tool0":200}}')).toBeUndefined();
    expect(jsonShapeProblem('['.repeat(MAX_JSON_DEPTH) + ']'.repeat(MAX_JSON_DEPTH))).toBeUndefined();
    const wide = `{${Array.from({ length: MAX_JSON_KEYS }, (_, i) => `"k${i}":1`).join(',')}}`;
    expect(jsonShapeProblem(wide)).toBeUndefined();
  });

  it('refuses one level or one key more', () => {
    const deep = '['.repeat(MAX_JSON_DEPTH + 1) + ']'.repeat(MAX_JSON_DEPTH + 1);
    expect(jsonShapeProblem(deep)).toBe(`JSON body is nested deeper than ${MAX_JSON_DEPTH} levels`);
    const wide = `{${Array.from({ length: MAX_JSON_KEYS + 1 }, (_, i) => `"k${i}":1`).join(',')}}`;
    expect(jsonShapeProblem(wide)).toBe(`JSON body has more than ${MAX_JSON_KEYS} keys`);
  });

  it('ignores brackets, colons and escaped quotes inside strings', () => {
    const text = JSON.stringify({ command: `${'[{:'.repeat(5000)}\\"${'[{:'.repeat(5000)}` });
    expect(jsonShapeProblem(text)).toBeUndefined();
  });

  it('finds the end of long strings, however many backslashes come before a quote', () => {
    const deep = '['.repeat(MAX_JSON_DEPTH + 1) + ']'.repeat(MAX_JSON_DEPTH + 1);
    for (const content of [
      'x'.repeat(100_000),
      'x'.repeat(200) + '\\\\',
      '\\"'.repeat(50_000),
      'é€😀'.repeat(10_000),
    ]) {
      // A string that ends where it should leaves the structure after it to be checked.
      expect(jsonShapeProblem(`[${JSON.stringify(content)},${deep}]`)).toBe(
        `JSON body is nested deeper than ${MAX_JSON_DEPTH} levels`,
      );
      // Brackets inside a long string, after an escaped quote, are not structure.
      expect(jsonShapeProblem(JSON.stringify({ a: `${content}"${deep}` }))).toBeUndefined();
    }
  });

  it('takes the bytes as the parser gets them', () => {
    expect(jsonShapeProblem(Buffer.from('{"a":"[[[[","b":[1]}'))).toBeUndefined();
    expect(jsonShapeProblem(Buffer.from('['.repeat(MAX_JSON_DEPTH + 1)))).toBeDefined();
  });
});
