import { extensionOf } from './file-names.js';

/**
 * The 8.3 name a file gets on the SD card (spec §3.9): lower case, ASCII, the stem cut to six characters plus `~N`
 * when it is longer than eight or had to be changed, extension `gco` (`.g` and `.gco` kept), unique among `taken`.
 * `test12345.gcode` → `test12~1.gco`, `Wölfe 🐺.gcode` → `wolfe_~1.gco`.
 */
export function sdShortName(name: string, taken: ReadonlySet<string>): string {
  const extension = ['g', 'gco'].includes(extensionOf(name)) ? extensionOf(name) : 'gco';
  const dot = name.lastIndexOf('.');
  const stem = (dot > 0 ? name.slice(0, dot) : name).toLowerCase();
  const cleaned = stem
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/\s/g, '_')
    .replace(/[^a-z0-9_-]/g, '');
  const plain = `${cleaned}.${extension}`;
  if (cleaned === stem && cleaned.length > 0 && cleaned.length <= 8 && !taken.has(plain)) return plain;
  const base = (cleaned === '' ? 'file' : cleaned).slice(0, 6);
  for (let index = 1; ; index += 1) {
    const candidate = `${base}~${index}.${extension}`;
    if (!taken.has(candidate)) return candidate;
  }
}
