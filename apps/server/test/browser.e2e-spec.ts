import { createServer, type Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, TEST_KEYS, type TestServer } from './harness.js';

/** Debian's Chromium (.ci/run installs it); the test drives it with playwright-core, which downloads nothing. */
const CHROMIUM = '/usr/bin/chromium';
const SDK_ENTRY = fileURLToPath(new URL('../../../packages/sdk/dist/index.js', import.meta.url));

/**
 * The frontend's page: a module script that imports the built SDK (bundled, as a frontend's bundler would: it imports
 * sockjs-client) from its own origin and calls Hotend on another.
 * Plain JavaScript in a string, as a browser gets it (the test runner's transforms never touch it).
 */
const PAGE = `<!doctype html>
<title>dashboard</title>
<script type="module">
import { HotendClient } from '/sdk/index.js';
window.drive = async (api, key, target) => {
  const client = new HotendClient({ baseUrl: api, apiKey: key });
  try {
    // The first temperature report may follow Operational by a moment.
    let state = await client.printer.getFullState();
    for (let attempt = 0; attempt < 100 && state.temperature?.tool0 === undefined; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      state = await client.printer.getFullState();
    }
    await client.printer.setToolTargetTemperatures({ tool0: target });
    let targetAfter;
    for (let attempt = 0; attempt < 100 && targetAfter !== target; attempt += 1) {
      targetAfter = (await client.printer.getToolState()).tool0?.target;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const logs = await client.plugins.logging.listLogs();
    const progress = [];
    const file = new File(['G28\\n'.repeat(100000)], 'from-page.gcode');
    const upload = await client.files.upload('local', file, {}, { onProgress: (event) => progress.push(event) });
    return {
      state: state.state?.text,
      tool0: state.temperature?.tool0,
      targetAfter: targetAfter ?? null,
      logFiles: logs.files.map((file) => file.name),
      uploaded: upload.files?.local?.path,
      lastProgress: progress.at(-1),
      fileSize: file.size,
    };
  } catch (error) {
    return { error: { name: error.name, message: error.message } };
  }
};
</script>
`;

/** The built SDK as one browser ES module. */
async function bundleSdk(): Promise<string> {
  const built = await build({
    entryPoints: [SDK_ENTRY],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    write: false,
    logLevel: 'silent',
  });
  return built.outputFiles[0]?.text ?? '';
}

/** A frontend's own web server: the page, and the SDK bundle at /sdk/index.js. */
async function startFrontend(sdk: string): Promise<{ server: Server; origin: string }> {
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://frontend').pathname;
    if (path === '/') response.writeHead(200, { 'content-type': 'text/html' }).end(PAGE);
    else if (path === '/sdk/index.js') response.writeHead(200, { 'content-type': 'text/javascript' }).end(sdk);
    else response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, origin: `http://127.0.0.1:${(server.address() as { port: number }).port}` };
}

interface PageResult {
  state?: string;
  tool0?: unknown;
  targetAfter?: number | null;
  logFiles?: string[];
  uploaded?: string;
  lastProgress?: { loaded: number; total?: number };
  fileSize?: number;
  error?: { name: string; message: string };
}

/** Runs in the page: the SDK, imported from the frontend's own origin, calls Hotend on another origin. */
async function driveSdk(browser: Browser, frontend: string, api: string, target: number): Promise<PageResult> {
  const page = await browser.newPage();
  try {
    await page.goto(`${frontend}/`);
    await page.waitForFunction(() => 'drive' in globalThis);
    return await page.evaluate(
      ([api, key, target]) =>
        (globalThis as unknown as { drive(a: string, k: string, t: number): Promise<PageResult> }).drive(
          api,
          key,
          target,
        ),
      [api, TEST_KEYS.ADMIN, target] as const,
    );
  } finally {
    await page.close();
  }
}

describe('a page on another origin drives Hotend with the built SDK in Chromium', () => {
  let allowed: { server: Server; origin: string };
  let other: { server: Server; origin: string };
  let hotend: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    const sdk = await bundleSdk();
    allowed = await startFrontend(sdk);
    other = await startFrontend(sdk);
    hotend = await startTestServer({ printer: 'virtual', config: { server: { cors: { origins: [allowed.origin] } } } });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await hotend?.close();
    allowed?.server.close();
    other?.server.close();
  });

  it('reads the state, sets a target, lists the logs and uploads with progress from an allowed origin', async () => {
    const result = await driveSdk(browser, allowed.origin, hotend.url, 205);
    expect(result.error).toBeUndefined();
    expect(result.state).toBe('Operational');
    expect(result.tool0).toMatchObject({ actual: expect.any(Number) as unknown });
    expect(result.targetAfter).toBe(205);
    expect(result.logFiles).toContain('hotend.log');
    expect(result.uploaded).toBe('from-page.gcode');
    // XMLHttpRequest's upload progress: the whole multipart body, file included.
    expect(result.lastProgress?.loaded).toBe(result.lastProgress?.total);
    expect(result.lastProgress?.loaded).toBeGreaterThan(result.fileSize ?? Infinity);
    expect((await hotend.client().printer.getToolState()).tool0?.target).toBe(205);
  });

  it('is refused by the browser from an origin the server does not list', async () => {
    const result = await driveSdk(browser, other.origin, hotend.url, 215);
    expect(result.error?.name).toBe('HotendNetworkError');
    expect(result.error?.message).toMatch(/^GET \/api\/printer: no answer from the server/);
    // The preflight of the POST failed, so the browser never sent the command.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await hotend.client().printer.getToolState()).tool0?.target).toBe(205);
  });
});
