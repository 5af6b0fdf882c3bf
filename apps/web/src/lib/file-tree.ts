import type { FileEntry } from '@hotend/sdk';
import { formatBytes, formatDate, formatDuration } from './format';

/** The entries directly in `folder` ('' is the root) of a recursive listing, folders first, then by name. */
export function entriesIn(root: readonly FileEntry[], folder: string): FileEntry[] {
  let entries: readonly FileEntry[] = root;
  if (folder !== '') {
    for (const part of folder.split('/')) {
      const next = entries.find((entry) => entry.type === 'folder' && entry.name === part);
      if (next === undefined) return [];
      entries = next.children ?? [];
    }
  }
  return [...entries].sort(
    (a, b) =>
      Number(b.type === 'folder') - Number(a.type === 'folder') ||
      a.display.localeCompare(b.display, undefined, { numeric: true }),
  );
}

/** `a/b/c` → [{ name: 'a', path: 'a' }, { name: 'b', path: 'a/b' }, { name: 'c', path: 'a/b/c' }]. */
export function breadcrumbs(folder: string): { name: string; path: string }[] {
  if (folder === '') return [];
  const parts = folder.split('/');
  return parts.map((name, index) => ({ name, path: parts.slice(0, index + 1).join('/') }));
}

/** Total filament of an analysis in metres, over all tools. */
export function filamentMetres(filament: Record<string, { length: number }> | null | undefined): number | null {
  if (filament === null || filament === undefined) return null;
  const lengths = Object.values(filament).map((tool) => tool.length);
  return lengths.length === 0 ? null : lengths.reduce((sum, length) => sum + length, 0) / 1000;
}

/** Files the upload accepts: G-code, by extension as the server does. */
export function isGcodeName(name: string): boolean {
  return /\.(gcode|gco|g)$/i.test(name);
}

/** Filament in metres as people read it: "1.25 m", or "350 mm" below a metre. */
export function formatFilament(metres: number | null): string {
  if (metres === null) return '–';
  return metres >= 1 ? `${metres.toFixed(2)} m` : `${Math.round(metres * 1000)} mm`;
}

/** The facts under a file's name: size, date, analysis (time, filament, dimensions) and print history. */
export function fileFacts(entry: FileEntry): string[] {
  const facts = [formatBytes(entry.size ?? 0)];
  if (entry.date !== undefined) facts.push(formatDate(entry.date));
  if (entry.analysisPending === true) facts.push('analysing…');
  const analysis = entry.gcodeAnalysis;
  if (analysis?.estimatedPrintTime !== undefined) facts.push(`est. ${formatDuration(analysis.estimatedPrintTime)}`);
  const filament = filamentMetres(analysis?.filament);
  if (filament !== null) facts.push(`${formatFilament(filament)} filament`);
  if (analysis !== undefined && analysis._empty !== true) {
    const { width, depth, height } = analysis.dimensions;
    facts.push(`${width.toFixed(0)} × ${depth.toFixed(0)} × ${height.toFixed(1)} mm`);
  }
  const prints = entry.prints;
  if (prints !== undefined && prints.success + prints.failure > 0)
    facts.push(`printed ${prints.success}×${prints.failure > 0 ? `, failed ${prints.failure}×` : ''}`);
  return facts;
}
