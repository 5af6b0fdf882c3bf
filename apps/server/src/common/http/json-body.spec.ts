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
});
