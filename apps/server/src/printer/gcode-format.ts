/**
 * Number and placeholder formatting for G-code the printer API builds. Pure functions, unit-tested beside.
 */

/**
 * A number as G-code expects it: never in exponent notation (`1e-5` would be misread by the firmware), at most six
 * decimals, no trailing zeros: 10 → `10`, -5 → `-5`, 0.02 → `0.02`, 0.00001 → `0.00001`.
 */
export function formatGcodeNumber(value: number): string {
  if (Number.isInteger(value) && Math.abs(value) < 1e15) return String(value);
  const fixed = value.toFixed(6).replace(/0+$/, '').replace(/\.$/, '');
  return fixed === '-0' ? '0' : fixed;
}

/**
 * OctoPrint's feed/flow factor: an integer is a percentage, a fraction is a factor (× 100, truncated as Python's
 * `int()` does): 105 → 105, 1.05 → 105, 1.15 → 114. JSON `1.0` arrives as the integer 1, so it means 1 %.
 */
export function toPercent(factor: number): number {
  return Number.isInteger(factor) ? factor : Math.trunc(factor * 100);
}

export class PlaceholderError extends Error {}

/**
 * Python's `%`-mapping formatting as OctoPrint applies it to `/api/printer/command` lines when `parameters` is not
 * empty: `%(name)s` (also `d`, `i`, `f`) takes a value, `%%` is a literal `%`. Where Python raises (unknown name, any
 * other `%`), this throws PlaceholderError so the caller can answer 400 instead of OctoPrint's 500.
 */
export function substitutePlaceholders(
  line: string,
  parameters: Readonly<Record<string, string | number | boolean>>,
): string {
  return line.replace(/%(\(([^)]*)\)([sdif])|%)?/g, (match, spec?: string, name?: string, conversion?: string) => {
    if (spec === '%') return '%';
    if (name === undefined || conversion === undefined) {
      throw new PlaceholderError('a lone % is not a placeholder; write %(name)s, or %% for a literal %');
    }
    if (!Object.hasOwn(parameters, name)) throw new PlaceholderError(`no parameter named "${name}" for ${match}`);
    const value = parameters[name] as string | number | boolean;
    if (conversion === 's') return typeof value === 'number' ? formatGcodeNumber(value) : String(value);
    const numeric = typeof value === 'number' ? value : Number(value);
    if (typeof value === 'boolean' || !Number.isFinite(numeric)) {
      throw new PlaceholderError(`parameter "${name}" is not a number for ${match}`);
    }
    return conversion === 'f' ? numeric.toFixed(6) : String(Math.trunc(numeric));
  });
}
