import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'hotend-drift-'));

/**
 * The drift gate: openapi.yaml and the SDK types are generated from the built server and must match what is
 * committed (CI also regenerates in place and runs `git diff --exit-code`).
 */
describe('generated files', () => {
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('openapi.yaml matches what the built server generates', () => {
    const fresh = join(scratch, 'openapi.yaml');
    execFileSync(process.execPath, [join(ROOT, 'apps/server/dist/bin/sync-openapi.js'), fresh], { stdio: 'pipe' });
    expect(readFileSync(fresh, 'utf8')).toBe(readFileSync(join(ROOT, 'openapi.yaml'), 'utf8'));
  });

  it('the SDK types match openapi.yaml (openapi-typescript --check)', () => {
    const cli = join(ROOT, 'node_modules/openapi-typescript/bin/cli.js');
    expect(() =>
      execFileSync(process.execPath, [cli, 'openapi.yaml', '-o', 'packages/sdk/src/generated/schema.ts', '--check'], {
        cwd: ROOT,
        stdio: 'pipe',
      }),
    ).not.toThrow();
  });
});
