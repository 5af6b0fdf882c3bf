import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SDK_DIR, typecheck } from './compile.js';

/** What a browser project writes: its tsconfig knows the DOM and ES2022, no Node types, and checks every .d.ts. */
const BROWSER_PROJECT = { lib: ['DOM', 'ES2022'], types: [], skipLibCheck: false };

describe("the SDK's declarations in a browser project", () => {
  it('compile with lib DOM + ES2022, types [] and skipLibCheck false', () => {
    const usage = `
import {
  type FullPrinterState,
  HotendApiError,
  HotendClient,
  HotendNetworkError,
  type TemperatureHistoryEntry,
  type TemperatureState,
} from '@hotend/sdk';

const client = new HotendClient({ baseUrl: 'http://localhost:5000', apiKey: 'key' });
const entry: TemperatureHistoryEntry = { time: 1, tool0: { actual: 20, target: 0 }, bed: { actual: 21, target: 0 } };
const state: TemperatureState = { tool0: { actual: 20, target: 0, offset: 0 }, history: [entry] };
export async function read(): Promise<FullPrinterState | string> {
  try {
    const full = await client.with({ timeout: 1000, signal: new AbortController().signal }).printer.getFullState();
    const bed: number | null | undefined = full.temperature?.bed?.actual;
    const tool: number | null | undefined = full.temperature?.tool1?.target;
    return bed === tool ? full : { ...full, temperature: state };
  } catch (error) {
    if (error instanceof HotendApiError && error.is('octoprint') && typeof error.body === 'object') return error.body.error;
    if (error instanceof HotendNetworkError) return error.message;
    throw error;
  }
}
`;
    expect(typecheck({ 'usage.ts': usage }, BROWSER_PROJECT)).toBe('');
  });

  it('name no Node module or type anywhere but the @hotend/sdk/node subpath', () => {
    const declarations = readdirSync(join(SDK_DIR, 'dist'), { recursive: true, encoding: 'utf8' })
      .filter((file) => file.endsWith('.d.ts') && file !== 'node.d.ts')
      .map((file) => ({ file, text: readFileSync(join(SDK_DIR, 'dist', file), 'utf8') }));
    expect(declarations.length).toBeGreaterThan(10);
    const nodeBound = declarations.filter(({ text }) => /from 'node:|types="node"|\bBuffer\b|NodeJS\./.test(text));
    expect(nodeBound.map(({ file }) => file)).toEqual([]);
  });
});
