import { existsSync } from 'node:fs';
import { build } from 'esbuild';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, TEST_KEYS, type TestServer } from './harness.js';

const CHROMIUM = '/usr/bin/chromium';

/** What the page reports back: message types in order, and the last `current` state text. */
interface PageResult {
  types: string[];
  stateText: string | undefined;
  targets: number[];
  events: string[];
}

describe('SDK client.socket in headless Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  let bundle: string;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium (.ci/run does)`);
    const built = await build({
      entryPoints: [new URL('./fixtures/sdk-browser-entry.ts', import.meta.url).pathname],
      bundle: true,
      platform: 'browser',
      format: 'iife',
      write: false,
      logLevel: 'silent',
    });
    bundle = built.outputFiles[0]?.text ?? '';
    server = await startTestServer({ printer: 'virtual' });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('bundles without Node built-ins', () => {
    expect(bundle.length).toBeGreaterThan(1000);
    expect(bundle).not.toMatch(/require\("(node:)?(fs|net|http|child_process)"\)/);
  });

  for (const transport of ['websocket', 'xhr-streaming', 'xhr-polling']) {
    it(`${transport}: connected, login, auth, history, current with a new target, and events`, async () => {
      const page = await browser.newPage();
      try {
        // Same origin as the server, as a dashboard served by Hotend would be.
        await page.goto(`${server.url}/sockjs`);
        await page.addScriptTag({ content: bundle });
        await page.evaluate(
          ({ baseUrl, apiKey, transports }) => {
            type Message = { event: string; data: { state?: { text: string }; temps?: Record<string, unknown>[] } };
            type SocketClient = {
              socket: {
                onMessage(type: string, handler: (message: Message) => void): void;
                onEvent(name: string, handler: (payload: unknown, name: string) => void): void;
                connect(options: object): void;
              };
            };
            type Result = { types: string[]; stateText?: string; targets: number[]; events: string[] };
            const scope = globalThis as unknown as {
              HotendClient: new (options: object) => SocketClient;
              result: Result;
            };
            const result: Result = { types: [], targets: [], events: [] };
            scope.result = result;
            const client = new scope.HotendClient({ baseUrl, apiKey });
            client.socket.onMessage('*', (message) => {
              result.types.push(message.event);
              if (message.event === 'current') {
                result.stateText = message.data.state?.text;
                for (const point of message.data.temps ?? []) {
                  const bed = point['bed'] as { target?: number } | undefined;
                  if (typeof bed?.target === 'number') result.targets.push(bed.target);
                }
              }
            });
            client.socket.onEvent('*', (_payload, name) => result.events.push(name));
            client.socket.connect({ transports: [transports] });
          },
          { baseUrl: server.url, apiKey: TEST_KEYS.ADMIN, transports: transport },
        );
        await page.waitForFunction(
          () => (globalThis as unknown as { result: PageResult }).result.types.includes('history'),
          null,
          {
            timeout: 15_000,
          },
        );
        await server.client().printer.setBedTargetTemperature(47);
        await page.waitForFunction(
          () => (globalThis as unknown as { result: PageResult }).result.targets.includes(47),
          null,
          {
            timeout: 15_000,
          },
        );
        const result = (await page.evaluate(
          () => (globalThis as unknown as { result: PageResult }).result,
        )) as PageResult;
        expect(result.types.filter((type) => type !== 'event').slice(0, 3)).toEqual([
          'connected',
          'history',
          'timelapse',
        ]);
        expect(result.stateText).toBe('Operational');
        expect(result.events).toContain('ClientAuthed');
      } finally {
        await page.close();
      }
    });
  }

  it('a page from another origin is refused', async () => {
    const page = await browser.newPage();
    try {
      await page.goto('about:blank');
      const status = await page.evaluate(async (url) => {
        try {
          return (await fetch(`${url}/sockjs/info`)).status;
        } catch {
          return 'blocked';
        }
      }, server.url);
      // Either the server's 403 or the browser's own CORS refusal: the page never reads the answer.
      expect(status).not.toBe(200);
    } finally {
      await page.close();
    }
  });
});
