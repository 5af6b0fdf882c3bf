/**
 * The dashboard's first view against a bare Vite page, both built and measured here in the same run:
 * - bundle: JS+CSS (gzip -9) that index.html loads before anything shows. Goal: <= 150 KB.
 * - first temperature: Chromium navigation start → a hotend temperature on screen, for a signed-in visitor with a
 *   cold cache, on Hotend with the simulated printer; the baseline is the bare page's navigation → its text.
 *   Median of interleaved rounds. Goal: <= 1000 ms.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import fastifyStatic from '@fastify/static';
import Fastify from 'fastify';
import { type Browser, chromium } from 'playwright-core';
import { build } from 'vite';
import { createHotendApp } from '../apps/server/dist/app.factory.js';
import { loadConfig } from '../apps/server/dist/config/config.loader.js';
import { ratio, report } from './report.js';

const KEY = 'bench-key-0123456789abcdef';
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 7);
const WEB_DIST = join(import.meta.dirname, '../apps/web/dist');

/** gzip -9 bytes of the scripts and stylesheets an index.html loads up front. */
function firstViewBytes(dist: string): number {
  const html = readFileSync(join(dist, 'index.html'), 'utf8');
  const assets = [...html.matchAll(/(?:src|href)="\/?(assets\/[^"]+\.(?:js|css))"/g)].map((match) => match[1]!);
  if (assets.length === 0) throw new Error(`${dist}/index.html loads no assets`);
  return assets.reduce((sum, asset) => sum + gzipSync(readFileSync(join(dist, asset)), { level: 9 }).length, 0);
}

/** The smallest Vite page: one module that writes a line, built with the same Vite. */
async function buildBarePage(root: string): Promise<string> {
  mkdirSync(join(root, 'src'), { recursive: true });
  writeFileSync(
    join(root, 'index.html'),
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>bare</title></head>' +
      '<body><p id="out"></p><script type="module" src="/src/main.ts"></script></body></html>',
  );
  writeFileSync(join(root, 'src/main.ts'), "document.getElementById('out')!.textContent = 'ready 21.3°C';\n");
  writeFileSync(join(root, 'src/style.css'), 'body { font-family: system-ui; }\n');
  await build({ root, logLevel: 'error', configFile: false, build: { outDir: join(root, 'dist') } });
  return join(root, 'dist');
}

/** ms from navigation start until `selector` shows a digit, in a fresh context (cold cache, no cookies). */
async function timeToDigit(browser: Browser, url: string, selector: string, apiKey?: string): Promise<number> {
  // bypassCSP: the waits below are page code given as strings, which the dashboard's CSP (no eval) would refuse.
  const context = await browser.newContext({ bypassCSP: true });
  // Page code as strings: this file is type-checked for Node, without the DOM library. A MutationObserver notes
  // the moment the selector first shows a digit, so the polling below does not blur the time.
  const signIn = apiKey === undefined ? '' : `localStorage.setItem('hotend.apiKey', ${JSON.stringify(apiKey)});`;
  await context.addInitScript(`${signIn}
    new MutationObserver((_records, observer) => {
      const element = document.querySelector(${JSON.stringify(selector)});
      if (element !== null && /\\d/.test(element.textContent ?? '')) {
        window.__shownAt = performance.now();
        observer.disconnect();
      }
    }).observe(document, { subtree: true, childList: true, characterData: true });`);
  const page = await context.newPage();
  await page.goto(url, { waitUntil: 'commit' });
  const shownAt = await page.waitForFunction('window.__shownAt', undefined, { polling: 50, timeout: 30_000 });
  const value = (await shownAt.jsonValue()) as number;
  await context.close();
  return value;
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const scratch = mkdtempSync(join(tmpdir(), 'hotend-bench-web-'));
const bareDist = await buildBarePage(join(scratch, 'bare'));
const dashboardBytes = firstViewBytes(WEB_DIST);
const bareBytes = firstViewBytes(bareDist);
report({
  bench: 'web-dashboard',
  case: 'first-view JS+CSS gzip',
  value: dashboardBytes / 1024,
  unit: 'KB',
  baseline: bareBytes / 1024,
  ratio: ratio(dashboardBytes, bareBytes),
  goal: 'value <= 150 KB',
});

const basedir = join(scratch, 'data');
mkdirSync(basedir);
writeFileSync(
  join(basedir, 'config.yaml'),
  `serial:\n  port: VIRTUAL\n  autoconnect: true\napi:\n  keys:\n    - name: bench\n      key: ${KEY}\n      permissions: [ADMIN]\n`,
);
const app = await createHotendApp(loadConfig(basedir), { logger: false, swaggerUi: false });
await app.listen({ port: 0, host: '127.0.0.1' });
const hotend = app.getHttpServer().address();
// The bare page on the same kind of static server (Fastify + @fastify/static), so only the page differs.
const bare = Fastify();
await bare.register(fastifyStatic, { root: bareDist, preCompressed: false });
await bare.listen({ port: 0, host: '127.0.0.1' });
const bareAddress = bare.server.address();
if (hotend === null || typeof hotend !== 'object' || bareAddress === null || typeof bareAddress !== 'object')
  throw new Error('no address');

const browser = await chromium.launch({
  executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-dev-shm-usage'],
});
try {
  const dashboardUrl = `http://127.0.0.1:${hotend.port}/`;
  const bareUrl = `http://127.0.0.1:${bareAddress.port}/`;
  // Warm-up: the simulator becomes operational, Chromium and both servers are past their first request.
  await timeToDigit(browser, dashboardUrl, '[data-testid="actual-tool0"]', KEY);
  await timeToDigit(browser, bareUrl, '#out');
  const dashboard: number[] = [];
  const baseline: number[] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    dashboard.push(await timeToDigit(browser, dashboardUrl, '[data-testid="actual-tool0"]', KEY));
    baseline.push(await timeToDigit(browser, bareUrl, '#out'));
  }
  const value = median(dashboard);
  const base = median(baseline);
  report({
    bench: 'web-dashboard',
    case: 'navigation → first temperature',
    value,
    unit: 'ms',
    baseline: base,
    ratio: ratio(value, base),
    goal: 'value <= 1000 ms',
  });
} finally {
  await browser.close();
  await bare.close();
  await app.close();
  rmSync(scratch, { recursive: true, force: true });
}
