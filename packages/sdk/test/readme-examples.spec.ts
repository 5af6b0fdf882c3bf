import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, SDK_DIR, typecheck } from './compile.js';

/** The ```ts blocks of a README, each as written. */
function examples(file: string): string[] {
  return [...readFileSync(file, 'utf8').matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1] ?? '');
}

/** A block that uses `client` without creating it gets one declared, as the README's prose implies. */
function asModule(block: string): string {
  const declarations = /\bconst client\b/.test(block)
    ? ''
    : `${/import \{[^}]*\bHotendClient\b/.test(block) ? '' : "import type { HotendClient } from '@hotend/sdk';\n"}declare const client: HotendClient;\n`;
  return `${declarations}${block}\nexport {};\n`;
}

describe('README examples compile against the built SDK', () => {
  for (const [name, file] of [
    ['README.md', join(ROOT, 'README.md')],
    ['packages/sdk/README.md', join(SDK_DIR, 'README.md')],
  ] as const) {
    it(`every ts example in ${name}`, () => {
      const blocks = examples(file);
      expect(blocks.length).toBeGreaterThan(0);
      const files = Object.fromEntries(blocks.map((block, index) => [`example${index}.ts`, asModule(block)]));
      expect(typecheck(files, { lib: ['ES2022', 'DOM'], types: ['node'] })).toBe('');
    });
  }
});
