import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HotendClient } from '@hotend/sdk';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectConsoleProblems, launchChromium, screenshot, seriousAxeViolations } from './browser';
import { KEYS, type RunningServer, startServer } from './server';

let server: RunningServer;
let browser: Browser;
const consoleProblems: string[] = [];

beforeAll(async () => {
  server = await startServer({
    system: {
      actions: [
        {
          action: 'mark',
          name: 'Leave a mark',
          command: 'touch web-e2e-mark',
          confirm: 'Leave a mark in the data folder?',
        },
        { action: 'divider' },
        { action: 'noop', name: 'Do nothing', command: 'true' },
      ],
    },
    printerProfile: { controls: [{ name: 'Lights', children: [{ name: 'Beep', command: 'M300 S440 P50' }] }] },
  });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

const LINKS = { terminal: 'Terminal', logs: 'Logs', 'build-logs': 'Build logs' } as const;

/** A fresh browser context (own storage), at desktop or phone size, in light or dark mode. */
async function openPage(
  options: { phone?: boolean; dark?: boolean } = {},
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({
    viewport: options.phone === true ? { width: 390, height: 844 } : { width: 1400, height: 900 },
    colorScheme: options.dark === true ? 'dark' : 'light',
    // axe-core is injected as an inline script, which the page's Content-Security-Policy would refuse.
    bypassCSP: true,
    acceptDownloads: true,
  });
  const page = await context.newPage();
  collectConsoleProblems(page, consoleProblems);
  return { context, page };
}

async function signIn(page: Page, key: string): Promise<void> {
  await page.goto(`${server.url}/`);
  await page.getByLabel('API key').fill(key);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

async function expectAccessible(page: Page): Promise<void> {
  expect(await seriousAxeViolations(page)).toEqual([]);
}

/** The number in a heater's actual-temperature cell, or NaN while it shows none. */
async function actualOf(page: Page, heater: string): Promise<number> {
  return Number.parseFloat((await page.getByTestId(`actual-${heater}`).textContent()) ?? '');
}

describe('the dashboard in Chromium against the simulator', () => {
  it('is served at / with caching headers: the page revalidated, hashed assets immutable', async () => {
    const page = await fetch(`${server.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('cache-control')).toBe('no-cache');
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    const html = await page.text();
    const asset = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(asset).toBeDefined();
    const script = await fetch(`${server.url}${asset}`, { headers: { 'accept-encoding': 'br' } });
    expect(script.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(script.headers.get('content-encoding')).toBe('br');
    // Paths that are not files of the page still get the API's own 404.
    expect((await fetch(`${server.url}/api/nothing-here`)).status).toBe(404);
  });

  it('refuses a wrong key with a message that says so', async () => {
    const { context, page } = await openPage();
    await signIn(page, 'not-a-key-of-this-server');
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('not valid');
    await screenshot(page, 'sign-in-wrong-key');
    await expectAccessible(page);
    await context.close();
  });

  it('shows a STATUS-only key the printer and terminal, without controls or the system menu', async () => {
    const { context, page } = await openPage();
    await signIn(page, KEYS.viewer);
    await expect.poll(() => page.getByTestId('printer-state').textContent()).toBe('Operational');
    const nav = page.getByRole('navigation', { name: 'Views' });
    expect(await nav.getByRole('link').allTextContents()).toEqual(['Printer', 'Terminal']);
    expect(await page.getByRole('button', { name: 'System' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Home all' }).count()).toBe(0);
    expect(await page.getByText('This key may not change the connection.').count()).toBe(1);
    await expect.poll(() => actualOf(page, 'tool0')).toBeGreaterThan(0);
    await context.close();
  });

  it('shows a build-log reader only the build logs', async () => {
    const { context, page } = await openPage();
    await signIn(page, KEYS.builds);
    await page.getByRole('heading', { name: 'Build logs', level: 2 }).waitFor();
    expect(await page.getByRole('navigation', { name: 'Views' }).getByRole('link').allTextContents()).toEqual([
      'Build logs',
    ]);
    expect(await page.getByTestId('printer-state').count()).toBe(0);
    await context.close();
  });

  describe('signed in with the admin key', () => {
    let context: BrowserContext;
    let page: Page;

    beforeAll(async () => {
      ({ context, page } = await openPage());
      await signIn(page, KEYS.admin);
      await page.getByTestId('printer-state').filter({ hasText: 'Operational' }).waitFor();
    });

    afterAll(() => context.close());

    it('shows temperatures moving toward a target set with a preset', async () => {
      await expect.poll(() => actualOf(page, 'bed')).toBeGreaterThan(0);
      const before = await actualOf(page, 'bed');
      await page.getByRole('group', { name: 'Bed presets' }).getByRole('button', { name: 'PLA 60' }).click();
      await expect.poll(() => page.locator('[data-heater="bed"] .target').textContent()).toContain('60.0°C');
      await expect.poll(() => actualOf(page, 'bed'), { timeout: 20_000 }).toBeGreaterThan(before + 5);
      // The target field sets the hotend the same way.
      await page.getByLabel('Hotend target in °C').fill('150');
      await page.getByLabel('Hotend target in °C').press('Enter');
      await expect.poll(() => page.locator('[data-heater="tool0"] .target').textContent()).toContain('150.0°C');
      await expect.poll(() => actualOf(page, 'tool0'), { timeout: 20_000 }).toBeGreaterThan(60);
      await screenshot(page, 'printer');
      await expectAccessible(page);
    });

    it('jogs, and the terminal shows the G-code that went to the printer', async () => {
      await page.getByRole('radio', { name: '1', exact: true }).click();
      await page.getByRole('button', { name: 'X plus 1 mm' }).click();
      await page.getByRole('link', { name: 'Terminal' }).click();
      const output = page.getByTestId('terminal-output');
      await expect.poll(() => output.textContent(), { timeout: 15_000 }).toMatch(/Send: N\d+ G0 X1 F\d+\*\d+/);
      // Temperature chatter is filtered out by default and comes back when the filter is off.
      expect(await output.textContent()).not.toMatch(/Recv:\s+T:/);
      await page.getByLabel('Hide temperatures').uncheck();
      await expect.poll(() => output.textContent()).toMatch(/T:\d/);
      await page.getByLabel('Hide temperatures').check();
    });

    it('sends G-code from the terminal and walks its history with the arrow keys', async () => {
      const input = page.getByLabel('G-code to send');
      await input.fill('M117 hello from the dashboard');
      await input.press('Enter');
      await input.fill('M400');
      await input.press('Enter');
      await expect
        .poll(() => page.getByTestId('terminal-output').textContent(), { timeout: 15_000 })
        .toContain('M117 hello from the dashboard');
      await input.press('ArrowUp');
      expect(await input.inputValue()).toBe('M400');
      await input.press('ArrowUp');
      expect(await input.inputValue()).toBe('M117 hello from the dashboard');
      await input.press('ArrowDown');
      await input.press('ArrowDown');
      expect(await input.inputValue()).toBe('');
      await screenshot(page, 'terminal');
      await expectAccessible(page);
    });

    it('runs a system command only after its confirm dialog', async () => {
      const mark = join(server.basedir, 'web-e2e-mark');
      await page.getByRole('button', { name: 'System' }).click();
      await page.getByRole('button', { name: 'Leave a mark' }).click();
      const dialog = page.getByRole('dialog');
      await expect.poll(() => dialog.textContent()).toContain('Leave a mark in the data folder?');
      await screenshot(page, 'system-confirm');
      await expectAccessible(page);
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      expect(existsSync(mark)).toBe(false);

      await page.getByRole('button', { name: 'System' }).click();
      await page.getByRole('button', { name: 'Leave a mark' }).click();
      await page.getByRole('dialog').getByRole('button', { name: 'Run' }).click();
      await expect.poll(() => page.getByRole('status').textContent()).toContain('Leave a mark: done');
      expect(existsSync(mark)).toBe(true);
    });

    it('lists log files, downloads one and saves logger levels', async () => {
      await page.getByRole('link', { name: 'Logs', exact: true }).click();
      await page.getByRole('cell', { name: 'hotend.log', exact: true }).waitFor();
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('button', { name: 'Download hotend.log' }).click(),
      ]);
      expect(download.suggestedFilename()).toBe('hotend.log');
      const saved = await download.path();
      expect(readFileSync(saved, 'utf8')).toContain('hotend.comm');

      await page.getByLabel('hotend.comm', { exact: true }).selectOption('debug');
      await page.getByRole('button', { name: 'Save' }).click();
      await expect.poll(() => page.getByRole('status').textContent()).toContain('Logger levels saved');
      const levels = await new HotendClient({ baseUrl: server.url, apiKey: KEYS.admin }).plugins.logging.getLevels();
      expect(levels['hotend.comm']).toBe('debug');
      await screenshot(page, 'logs');
      await expectAccessible(page);
    });

    it('filters build logs by exit code, pages through them and shows a content', async () => {
      const sdk = new HotendClient({ baseUrl: server.url, apiKey: KEYS.admin });
      for (let index = 0; index < 30; index += 1) {
        await sdk.buildLogs.publish(
          {
            startTime: 1_700_000_000 + index * 60,
            endTime: 1_700_000_030 + index * 60,
            arch: 'x86_64',
            exitCode: index % 3 === 0 ? 1 : 0,
            target: 7,
          },
          `build ${index}\n${index % 3 === 0 ? 'error: it broke' : 'ok'}\n`,
        );
      }
      await page.getByRole('link', { name: 'Build logs' }).click();
      const rows = page.locator('tbody tr');
      await expect.poll(() => rows.count()).toBe(25);
      await page.getByRole('button', { name: 'Next' }).click();
      await expect.poll(() => rows.count()).toBe(5);
      await page.getByRole('button', { name: 'Previous' }).click();
      await expect.poll(() => rows.count()).toBe(25);

      await page.getByLabel('Exit code').selectOption('!0');
      await page.getByRole('button', { name: 'Filter' }).click();
      await expect.poll(() => rows.count()).toBe(10);
      expect(new Set(await page.locator('tbody .code').allTextContents())).toEqual(new Set(['1']));
      await page.getByRole('button', { name: 'Show log 4' }).click();
      await expect.poll(() => page.getByTestId('build-log-content').textContent()).toBe('build 3\nerror: it broke\n');
      await screenshot(page, 'build-logs');
      await expectAccessible(page);
    });
  });

  it('disconnects and connects again from the connection panel', async () => {
    const { context, page } = await openPage();
    await signIn(page, KEYS.admin);
    const state = page.getByTestId('printer-state');
    await state.filter({ hasText: 'Operational' }).waitFor();
    await page.getByRole('button', { name: 'Disconnect' }).click();
    await expect.poll(() => state.textContent()).toMatch(/^(Offline|Closed)/);
    expect(await page.getByText('Connect the printer to see its temperatures.').count()).toBe(1);
    await page.getByLabel('Port').selectOption('VIRTUAL');
    await page.getByLabel('Baud rate').selectOption('115200');
    await page.getByRole('button', { name: 'Connect', exact: true }).click();
    await expect.poll(() => state.textContent()).toBe('Operational');
    await expect.poll(() => actualOf(page, 'tool0')).toBeGreaterThan(0);
    await context.close();
  });

  it('follows the printer over the push socket without polling /api/printer', async () => {
    const { context, page } = await openPage();
    const printerReads: string[] = [];
    page.on('request', (request) => {
      if (new URL(request.url()).pathname === '/api/printer') printerReads.push(request.url());
    });
    await signIn(page, KEYS.admin);
    await expect.poll(() => actualOf(page, 'tool0')).toBeGreaterThan(0);
    // Once the socket's history has arrived, the page stops reading the printer over REST.
    await page.waitForTimeout(1500);
    const readsBefore = printerReads.length;
    const sdk = new HotendClient({ baseUrl: server.url, apiKey: KEYS.admin });
    const start = await actualOf(page, 'tool0');
    await sdk.printer.setToolTargetTemperatures({ tool0: 100 });
    await expect.poll(() => page.locator('[data-heater="tool0"] .target').textContent()).toContain('100.0°C');
    await expect.poll(() => actualOf(page, 'tool0')).toBeGreaterThan(start + 5);
    expect(printerReads.length).toBe(readsBefore);
    await sdk.printer.setToolTargetTemperatures({ tool0: 0 });
    await context.close();
  });

  it('falls back to polling when the push socket cannot connect', async () => {
    // Its own console: the refused socket requests are logged by the browser, as they should be.
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const page = await context.newPage();
    await page.route('**/sockjs/**', (route) => route.abort());
    await signIn(page, KEYS.admin);
    await page.getByTestId('printer-state').filter({ hasText: 'Operational' }).waitFor();
    const sdk = new HotendClient({ baseUrl: server.url, apiKey: KEYS.admin });
    await sdk.printer.setBedTargetTemperature(40);
    await expect.poll(() => page.locator('[data-heater="bed"] .target').textContent()).toContain('40.0°C');
    await sdk.printer.setBedTargetTemperature(0);
    await context.close();
  });

  it('works at phone size and in dark mode', async () => {
    for (const dark of [false, true]) {
      const { context, page } = await openPage({ phone: true, dark });
      await signIn(page, KEYS.admin);
      await expect.poll(() => actualOf(page, 'tool0')).toBeGreaterThan(0);
      const suffix = dark ? 'phone-dark' : 'phone';
      await screenshot(page, `printer-${suffix}`);
      await expectAccessible(page);
      for (const view of ['terminal', 'logs', 'build-logs'] as const) {
        await page.getByRole('link', { name: LINKS[view], exact: true }).click();
        await page.waitForTimeout(500);
        await screenshot(page, `${view}-${suffix}`);
        await expectAccessible(page);
      }
      await context.close();
    }
    const { context, page } = await openPage({ dark: true });
    await signIn(page, KEYS.admin);
    await expect.poll(() => actualOf(page, 'tool0')).toBeGreaterThan(0);
    await page.waitForTimeout(1500);
    await screenshot(page, 'printer-dark');
    await expectAccessible(page);
    await context.close();
  });

  it('wrote nothing to the browser console', () => {
    expect(consoleProblems).toEqual([]);
  });
});
