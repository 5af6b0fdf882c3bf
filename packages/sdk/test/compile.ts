import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const SDK_DIR = fileURLToPath(new URL('..', import.meta.url));
export const ROOT = join(SDK_DIR, '../..');
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');

/**
 * Type-checks the given files as a consumer project would: a scratch folder inside the workspace (so `@hotend/sdk`
 * resolves to the built package through node_modules) with its own tsconfig. Returns tsc's output ('' when clean).
 */
export function typecheck(files: Record<string, string>, compilerOptions: Record<string, unknown>): string {
  mkdirSync(join(SDK_DIR, '.scratch'), { recursive: true });
  const dir = mkdtempSync(join(SDK_DIR, '.scratch', 'tsc-'));
  try {
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          noEmit: true,
          ...compilerOptions,
        },
        files: Object.keys(files),
      }),
    );
    try {
      execFileSync(process.execPath, [TSC, '-p', dir], { stdio: 'pipe', encoding: 'utf8' });
      return '';
    } catch (error) {
      return String((error as { stdout?: string }).stdout ?? error);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
