import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { findWebRoot, serveWebUi } from './web-ui.js';

describe('serveWebUi', () => {
  let fastify: FastifyInstance | undefined;
  let root: string | undefined;

  afterEach(async () => {
    await fastify?.close();
    if (root !== undefined) rmSync(root, { recursive: true, force: true });
    fastify = undefined;
    root = undefined;
  });

  async function serve(webRoot: string | undefined): Promise<FastifyInstance> {
    fastify = Fastify();
    await serveWebUi(fastify, webRoot);
    return fastify;
  }

  it('serves the page revalidated with its CSP and hashed assets as immutable, compressed when accepted', async () => {
    root = mkdtempSync(join(tmpdir(), 'hotend-web-'));
    mkdirSync(join(root, 'assets'));
    writeFileSync(join(root, 'index.html'), '<!doctype html><title>Hotend</title>');
    writeFileSync(join(root, 'assets', 'index-abc123.js'), 'console.log(1)');
    writeFileSync(join(root, 'assets', 'index-abc123.js.gz'), 'gzipped');
    const app = await serve(root);

    const page = await app.inject({ url: '/' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['cache-control']).toBe('no-cache');
    expect(page.headers['content-security-policy']).toContain("default-src 'self'");
    expect(page.body).toContain('<title>Hotend</title>');

    const asset = await app.inject({ url: '/assets/index-abc123.js', headers: { 'accept-encoding': 'gzip' } });
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(asset.headers['content-encoding']).toBe('gzip');
    expect(asset.headers['x-content-type-options']).toBe('nosniff');
  });

  it('serves only the files that exist: other paths and traversal attempts are 404s, never files outside', async () => {
    root = mkdtempSync(join(tmpdir(), 'hotend-web-'));
    writeFileSync(join(root, 'index.html'), 'page');
    const app = await serve(root);
    for (const url of ['/api/unknown', '/nothing.js', '/../package.json', '/%2e%2e/package.json', '/assets/'])
      expect((await app.inject({ url })).statusCode, url).toBe(404);
  });

  it('explains at / how to build the dashboard when it is not built', async () => {
    const app = await serve(undefined);
    const page = await app.inject({ url: '/' });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('npm run build');
    expect(page.body).toContain('/api/docs');
  });

  it('finds the built dashboard of @hotend/web when there is one', () => {
    const found = findWebRoot();
    if (found !== undefined) expect(found.endsWith(join('web', 'dist'))).toBe(true);
  });
});
