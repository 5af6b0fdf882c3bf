import type { FileEntry } from '@hotend/sdk';
import { describe, expect, it } from 'vitest';
import { breadcrumbs, entriesIn, fileFacts, formatFilament, isGcodeName } from './file-tree';

function file(path: string, extra: Partial<FileEntry> = {}): FileEntry {
  const name = path.split('/').at(-1)!;
  return {
    type: 'machinecode',
    typePath: ['machinecode', 'gcode'],
    origin: 'local',
    name,
    display: name,
    path,
    refs: { resource: `/api/files/local/${path}` },
    ...extra,
  };
}

function folder(path: string, children: FileEntry[]): FileEntry {
  return { ...file(path), type: 'folder', typePath: ['folder'], children };
}

const tree = [
  file('zeta.gcode'),
  folder('parts', [file('parts/b10.gcode'), file('parts/b9.gcode'), folder('parts/old', [file('parts/old/x.gcode')])]),
  file('alpha.gcode'),
];

describe('file tree', () => {
  it('lists a folder of a recursive listing, folders first, names in natural order', () => {
    expect(entriesIn(tree, '').map((entry) => entry.path)).toEqual(['parts', 'alpha.gcode', 'zeta.gcode']);
    expect(entriesIn(tree, 'parts').map((entry) => entry.path)).toEqual([
      'parts/old',
      'parts/b9.gcode',
      'parts/b10.gcode',
    ]);
    expect(entriesIn(tree, 'parts/old').map((entry) => entry.path)).toEqual(['parts/old/x.gcode']);
    expect(entriesIn(tree, 'parts/missing')).toEqual([]);
  });

  it('builds breadcrumbs for nested folders', () => {
    expect(breadcrumbs('')).toEqual([]);
    expect(breadcrumbs('a/b')).toEqual([
      { name: 'a', path: 'a' },
      { name: 'b', path: 'a/b' },
    ]);
  });

  it('states size, analysis and print history of a file', () => {
    const facts = fileFacts(
      file('cube.gcode', {
        size: 2048,
        gcodeAnalysis: {
          estimatedPrintTime: 3720,
          filament: { tool0: { length: 1200, volume: 2.9 }, tool1: { length: 300, volume: 0.7 } },
          dimensions: { width: 20, depth: 20.4, height: 10.25 },
          printingArea: { minX: 0, minY: 0, minZ: 0, maxX: 20, maxY: 20.4, maxZ: 10.25 },
          travelDimensions: { width: 20, depth: 20.4, height: 10.25 },
          travelArea: { minX: 0, minY: 0, minZ: 0, maxX: 20, maxY: 20.4, maxZ: 10.25 },
        },
        prints: { success: 2, failure: 1 },
      }),
    );
    expect(facts).toEqual(['2.0 KB', 'est. 1h 02m', '1.50 m filament', '20 × 20 × 10.3 mm', 'printed 2×, failed 1×']);
    expect(fileFacts(file('new.gcode', { size: 10, analysisPending: true }))).toEqual(['10 B', 'analysing…']);
  });

  it('formats filament in metres, or millimetres below one', () => {
    expect(formatFilament(null)).toBe('–');
    expect(formatFilament(0.35)).toBe('350 mm');
    expect(formatFilament(12.345)).toBe('12.35 m');
  });

  it('accepts G-code file names only', () => {
    expect(['a.gcode', 'B.GCO', 'c.g'].every(isGcodeName)).toBe(true);
    expect(['a.stl', 'gcode', 'a.gcode.txt'].some(isGcodeName)).toBe(false);
  });
});
