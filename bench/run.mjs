#!/usr/bin/env node
// Runs every bench/*.bench.ts (or one named on the command line) and prints one table of their results.
// Each benchmark measures its own baseline in the same run and prints lines `BENCH {json}`:
// {"bench","case","value","unit","baseline","ratio","goal","spread"}.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const files = readdirSync(here)
  .filter((name) => name.endsWith('.bench.ts'))
  .filter((name) => only.length === 0 || only.some((wanted) => name.includes(wanted)))
  .sort();

const rows = [];
let failed = 0;
for (const file of files) {
  console.error(`\n== ${file}`);
  const run = spawnSync(process.execPath, ['--import', 'tsx', join(here, file)], {
    cwd: join(here, '..'),
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 * 1024 * 1024,
  });
  for (const line of run.stdout.split('\n')) {
    if (line.startsWith('BENCH ')) rows.push(JSON.parse(line.slice(6)));
    else if (line.trim() !== '') console.error(line);
  }
  if (run.status !== 0) {
    failed += 1;
    console.error(`${file} exited with ${run.status}`);
  }
}

const fmt = (n) => (typeof n === 'number' ? (Math.abs(n) >= 100 ? n.toFixed(0) : n.toFixed(2)) : (n ?? ''));
const header = ['bench', 'case', 'value', 'unit', 'baseline', 'ratio', 'goal', 'spread'];
const table = [
  header,
  ...rows.map((r) => [
    r.bench,
    r.case,
    fmt(r.value),
    r.unit,
    fmt(r.baseline),
    fmt(r.ratio),
    r.goal ?? '',
    r.spread ?? '',
  ]),
];
const widths = header.map((_, i) => Math.max(...table.map((row) => String(row[i]).length)));
console.log('');
for (const [index, row] of table.entries()) {
  console.log(row.map((cell, i) => String(cell).padEnd(widths[i])).join('  '));
  if (index === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
}
process.exit(failed > 0 ? 1 : 0);
