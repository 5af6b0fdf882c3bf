import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

interface Response {
  description?: string;
  content?: Record<string, { schema?: unknown }>;
}
interface Operation {
  summary?: string;
  description?: string;
  tags?: string[];
  parameters?: { name: string; in: string; description?: string; example?: unknown; schema?: { example?: unknown } }[];
  responses: Record<string, Response>;
}
interface Spec {
  info: { description?: string; license?: unknown };
  servers?: { url: string }[];
  tags?: { name: string; description?: string }[];
  paths: Record<string, Record<string, Operation>>;
  components: { securitySchemes: Record<string, { description?: string; bearerFormat?: string }> };
}

// The committed spec is what users read (and what the drift gate proves equal to the code), so it is checked here.
const spec = parse(readFileSync(join(ROOT, 'openapi.yaml'), 'utf8')) as Spec;
const operations = Object.entries(spec.paths).flatMap(([path, item]) =>
  Object.entries(item).map(([method, operation]) => ({ name: `${method.toUpperCase()} ${path}`, operation })),
);
const namesWhere = (failing: (operation: Operation) => boolean): string[] =>
  operations.filter(({ operation }) => failing(operation)).map(({ name }) => name);

/** Every endpoint, new ones included, must be documented for the people who read the Swagger UI. */
describe('openapi.yaml is complete', () => {
  it('every operation has a plain-text summary and a description', () => {
    expect(operations.length).toBeGreaterThan(30);
    expect(namesWhere((op) => !op.summary?.trim())).toEqual([]);
    expect(namesWhere((op) => !op.description?.trim())).toEqual([]);
    // Summaries are not Markdown in OpenAPI; Swagger UI would show the backticks.
    expect(namesWhere((op) => op.summary?.includes('`') === true)).toEqual([]);
  });

  it('every response has a description, and every error response a body schema', () => {
    const undescribed = operations.flatMap(({ name, operation }) =>
      Object.entries(operation.responses)
        .filter(([, response]) => !response.description?.trim())
        .map(([status]) => `${name} ${status}`),
    );
    expect(undescribed).toEqual([]);
    const bodiless = operations.flatMap(({ name, operation }) =>
      Object.entries(operation.responses)
        .filter(([status, response]) => Number(status) >= 400 && response.content === undefined)
        .map(([status]) => `${name} ${status}`),
    );
    expect(bodiless).toEqual([]);
  });

  it('every tag used is declared with a description', () => {
    const declared = new Map((spec.tags ?? []).map((tag) => [tag.name, tag.description ?? '']));
    const used = new Set(operations.flatMap(({ operation }) => operation.tags ?? []));
    expect([...used].filter((tag) => !declared.get(tag)?.trim())).toEqual([]);
    expect(namesWhere((op) => (op.tags ?? []).length === 0)).toEqual([]);
  });

  it('has servers, a license and honest key schemes', () => {
    expect(spec.servers?.[0]?.url).toBe('/');
    expect(spec.info.license).toBeDefined();
    for (const scheme of Object.values(spec.components.securitySchemes)) {
      expect(scheme.description).toMatch(/API key/);
      expect(scheme.bearerFormat ?? '').not.toMatch(/JWT/);
    }
  });

  it('query parameters carry no example that Try it out would send and change the answer with', () => {
    const prefilled = operations.flatMap(({ name, operation }) =>
      (operation.parameters ?? [])
        .filter((p) => p.in === 'query' && (p.example !== undefined || p.schema?.example !== undefined))
        .map((p) => `${name} ?${p.name}`),
    );
    expect(prefilled).toEqual([]);
  });

  it('publishes no internal references', () => {
    expect(readFileSync(join(ROOT, 'openapi.yaml'), 'utf8')).not.toMatch(/\bseed \d|DESIGN|§/i);
  });

  it('passes Redocly lint as a user runs it (no flags: redocly.yaml is picked up)', () => {
    const cli = join(ROOT, 'node_modules/@redocly/cli/bin/cli.js');
    expect(() =>
      execFileSync(process.execPath, [cli, 'lint', 'openapi.yaml'], { cwd: ROOT, stdio: 'pipe' }),
    ).not.toThrow();
  });
});
