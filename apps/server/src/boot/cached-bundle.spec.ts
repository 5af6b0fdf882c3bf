import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCachedBundle } from './cached-bundle.js';

const BUNDLE = `// hotend: bundled
const { basename } = require('node:path');
globalThis.hotendBundleRuns = (globalThis.hotendBundleRuns ?? 0) + 1;
globalThis.hotendBundleFile = basename(__filename);
exports.started = Promise.resolve();
`;

describe('runCachedBundle', () => {
  let dir: string;
  let bundle: string;
  const runs = (): number => (globalThis as { hotendBundleRuns?: number }).hotendBundleRuns ?? 0;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'hotend-cached-bundle-'));
    bundle = join(dir, 'main.bundle.cjs');
    writeFileSync(bundle, BUNDLE);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('runs the bundle as CommonJS and writes a cache once it has started', async () => {
    const before = runs();
    await runCachedBundle(pathToFileURL(bundle), 'hash-1');
    expect(runs()).toBe(before + 1);
    expect((globalThis as { hotendBundleFile?: string }).hotendBundleFile).toBe('main.bundle.cjs');
    expect(readFileSync(`${bundle}.code-cache`, 'utf8')).toContain('"bundle":"hash-1"');
  });

  it('leaves an accepted cache as it is', async () => {
    await runCachedBundle(pathToFileURL(bundle), 'hash-1');
    const written = statSync(`${bundle}.code-cache`).mtimeMs;
    await new Promise((resolve) => setTimeout(resolve, 20));
    await runCachedBundle(pathToFileURL(bundle), 'hash-1');
    expect(statSync(`${bundle}.code-cache`).mtimeMs).toBe(written);
  });

  it('replaces the cache of another bundle and ignores a damaged one', async () => {
    await runCachedBundle(pathToFileURL(bundle), 'hash-1');
    await runCachedBundle(pathToFileURL(bundle), 'hash-2');
    expect(readFileSync(`${bundle}.code-cache`, 'utf8')).toContain('"bundle":"hash-2"');
    writeFileSync(`${bundle}.code-cache`, 'not a cache');
    const before = runs();
    await runCachedBundle(pathToFileURL(bundle), 'hash-2');
    expect(runs()).toBe(before + 1);
    expect(readFileSync(`${bundle}.code-cache`, 'utf8')).toContain('"bundle":"hash-2"');
  });
});
