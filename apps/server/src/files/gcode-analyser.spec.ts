import { describe, expect, it } from 'vitest';
import { GcodeAnalyser, Parameters } from './gcode-analyser.js';

function analyse(text: string, defaultFeedrate = 6000) {
  const analyser = new GcodeAnalyser({ defaultFeedrate });
  for (const line of text.split('\n')) analyser.line(line);
  return analyser.result();
}

describe('GcodeAnalyser (OctoPrint gcodeInterpreter rules, spec §2.4)', () => {
  it('measures time, filament per tool, printing and travel areas', () => {
    const result = analyse(
      [
        '; filament_diameter = 1.75',
        'G21',
        'G90',
        'M82',
        'G28',
        'G1 Z0.2 F600', // 0.2 mm at 600 mm/min
        'G1 X10 Y0 F1200 ; travel 10 mm at 1200',
        'G1 X20 E5', // extrude 5 over 10 mm
        'G1 E3', // retract 2: length stays the maximum (5)
        'G1 E6', // +3 → 6
        'G4 S2',
      ].join('\n'),
    );
    const minutes = 0.2 / 600 + 10 / 1200 + 10 / 1200 + 2 / 1200 + 3 / 1200 + 2 / 60;
    expect(result.estimatedPrintTime).toBeCloseTo(minutes * 60, 6);
    expect(result.filament['tool0']?.length).toBeCloseTo(6, 9);
    expect(result.filament['tool0']?.volume).toBeCloseTo((6 * Math.PI * 0.875 ** 2) / 1000, 9);
    expect(result.printingArea).toEqual({ minX: 10, maxX: 20, minY: 0, maxY: 0, minZ: 0, maxZ: 0.2 });
    expect(result.travelArea).toMatchObject({ minX: 0, maxX: 20, minZ: 0, maxZ: 0.2 });
    expect(result.dimensions).toEqual({ width: 10, depth: 0, height: 0.2 });
    expect(result._empty).toBeUndefined();
  });

  it('follows G91, M83, G92, G20 and tool changes', () => {
    const result = analyse(
      [
        'G91',
        'M83',
        'G1 X1 E1 F60',
        'G1 X1 E1',
        'G90',
        'G92 X0',
        'T1',
        'G20',
        'G1 X1 E1',
        'M82',
        'G92 E0',
        'G1 E2',
      ].join('\n'),
    );
    expect(result.filament['tool0']?.length).toBeCloseTo(2, 9);
    // T1 in inches: relative E of 1 inch (M83 still on), then absolute 2 inches from a G92 E0 start.
    expect(result.filament['tool1']?.length).toBeCloseTo(25.4 + 50.8, 6);
    expect(result.travelArea.maxX).toBeCloseTo(25.4, 6);
  });

  it('takes arc extremes into the areas', () => {
    // A half circle of radius 10 around (10, 0) from (0, 0) to (20, 0), counter-clockwise through (10, -10).
    const result = analyse(['G1 X0 Y0 F600', 'G3 X20 Y0 I10 J0 E5'].join('\n'));
    expect(result.printingArea.minY).toBeCloseTo(-10, 9);
    expect(result.printingArea.maxX).toBeCloseTo(20, 9);
    expect(result.estimatedPrintTime).toBeCloseTo(((Math.PI * 10) / 600) * 60, 6);
  });

  it('reports an empty file as OctoPrint does (_empty, no filament)', () => {
    const result = analyse('G28\nG1 X10 F600\n; just moves\n');
    expect(result).toMatchObject({ _empty: true, filament: {} });
    expect(result.dimensions).toEqual({ width: 0, depth: 0, height: 0 });
  });

  it('reads the filament diameter from OrcaSlicer and Simplify3D comments', () => {
    expect(analyse('; filament_diameter: 2.85,1.75\nG1 X1 E10').filament['tool0']?.volume).toBeCloseTo(
      (10 * Math.PI * 1.425 ** 2) / 1000,
      9,
    );
    expect(analyse(';   filamentDiameter,1.75\nG1 X1 E10').filament['tool0']?.volume).toBeGreaterThan(0);
    expect(analyse('G1 X1 E10').filament['tool0']?.volume).toBe(0);
  });
});

describe('Parameters (the tokenizer behind the analysis)', () => {
  /** OctoPrint's rule as a regular expression: the reference the hand-written scanner must agree with. */
  function reference(text: string): Map<string, number> {
    const found = new Map<string, number>();
    for (const [, letter = '', value = ''] of text.matchAll(/([A-Z])\s*([-+]?(?:\d+\.?\d*|\.\d+))/g)) {
      if (!found.has(letter)) found.set(letter, Number(value));
    }
    return found;
  }

  const samples = [
    ' X10 Y20.5 E-0.0125 F6000',
    ' X.5 Y-.25 Z+3. E5.',
    ' X - Y. Z1 X2',
    ' X 12 Y\t-3.75',
    'X1Y2Z3E4',
    ' S0.123456789012345678 P12345678901234567890',
    ' I-10.000 J0 K',
    ' xlower X9 e1',
    ' A1 B2 C3 D4 H5 L6 N7 O8 Q9 R10 U11 V12 W13',
    '',
    ' E-',
    ' F1e5',
  ];

  it.each(samples)('reads %j as the regular expression does', (text) => {
    const parameters = new Parameters();
    parameters.read(text, 0, text.length);
    const expected = reference(text);
    expect(parameters.size).toBe(expected.size);
    for (const [letter, value] of expected) expect(parameters.get(letter)).toBe(value);
    expect(parameters.get('Y') === undefined).toBe(!expected.has('Y'));
  });

  it('agrees with the regular expression on random moves, value for value', () => {
    let seed = 7;
    const random = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const parameters = new Parameters();
    for (let round = 0; round < 2000; round += 1) {
      const words = ['X', 'Y', 'Z', 'E', 'F'].map(
        (letter) => `${letter}${(random() * 400 - 200).toFixed(Math.floor(random() * 6))}`,
      );
      const text = ` ${words.join(' ')}`;
      parameters.read(text, 0, text.length);
      for (const [letter, value] of reference(text)) expect(parameters.get(letter)).toBe(value);
    }
  });

  it('analyses a line given by offsets exactly as the same line given alone', () => {
    const text = 'junk\nG1 X10 Y5 E2 F600 ; comment\nmore';
    const byOffsets = new GcodeAnalyser();
    byOffsets.scan(text, 5, text.indexOf('\n', 5));
    const alone = new GcodeAnalyser();
    alone.line('G1 X10 Y5 E2 F600 ; comment');
    expect(byOffsets.result()).toEqual(alone.result());
  });
});
