import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectConsoleProblems, launchChromium, screenshot, seriousAxeViolations } from './browser';
import { KEYS, type RunningServer, startServer } from './server';

/** G-code that takes about `seconds` on the simulator: dwells between small moves, with a slicer's time hint. */
function gcode(seconds: number): string {
  const lines = [`;TIME:${seconds}`, ';Filament used: 0.5m', 'G28', 'G90', 'M83'];
  for (let step = 0; step < seconds * 5; step += 1) {
    lines.push(`G1 X${10 + (step % 50)} Y${10 + (step % 30)} Z${(0.2 + step * 0.01).toFixed(2)} E0.1 F3000`, 'G4 P200');
  }
  return `${lines.join('\n')}\n`;
}

let server: RunningServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const consoleProblems: string[] = [];

beforeAll(async () => {
  server = await startServer();
  browser = await launchChromium();
  context = await browser.newContext({
    viewport: { width: 1400, height: 900 },
    bypassCSP: true,
    acceptDownloads: true,
    // The bar's width transition would otherwise show a finished job short of full in a screenshot.
    reducedMotion: 'reduce',
  });
  page = await context.newPage();
  collectConsoleProblems(page, consoleProblems);
  await page.goto(`${server.url}/`);
  await page.getByLabel('API key').fill(KEYS.admin);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('printer-state').filter({ hasText: 'Operational' }).waitFor();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

/** Opens a view from the navigation. */
async function go(view: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Views' }).getByRole('link', { name: view, exact: true }).click();
}

/** The completion the job panel shows, in percent (NaN while it shows none). */
async function completion(): Promise<number> {
  return Number.parseFloat((await page.getByTestId('job-completion').textContent()) ?? '');
}

/** The elapsed print time the job panel shows, in seconds ("1m 05s" → 65). */
async function elapsed(): Promise<number> {
  const text = (await page.getByTestId('job-elapsed').textContent()) ?? '';
  const minutes = /(\d+)m/.exec(text)?.[1] ?? '0';
  const seconds = /(\d+)s/.exec(text)?.[1] ?? 'NaN';
  return Number(minutes) * 60 + Number(seconds);
}

async function stateText(): Promise<string> {
  return (await page.getByTestId('printer-state').textContent()) ?? '';
}

describe('files and jobs in Chromium against the simulator', () => {
  it('uploads with the picker into a new folder, with a progress bar, and shows the analysis', async () => {
    await go('Files');
    await page.getByLabel('New folder name').fill('parts');
    await page.getByRole('button', { name: 'Create folder' }).click();
    await page.getByRole('button', { name: 'parts', exact: true }).click();
    await page.locator('input[type="file"]').setInputFiles({
      name: 'cube.gcode',
      mimeType: 'text/plain',
      buffer: Buffer.from(gcode(6)),
    });
    await page.getByRole('progressbar', { name: 'Upload of cube.gcode' }).waitFor();
    const entry = page.locator('.entry', { hasText: 'cube.gcode' });
    await expect.poll(() => entry.textContent()).toMatch(/\d+ mm filament · 39 × 39 × 0\.5 mm/);
    expect(await entry.textContent()).toMatch(/est\. \d+s/);
    await screenshot(page, 'files');
    expect(await seriousAxeViolations(page)).toEqual([]);
  });

  it('uploads a dropped file into the open folder', async () => {
    const dataTransfer = await page.evaluateHandle((text) => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([text], 'long.gcode', { type: 'text/plain' }));
      return transfer;
    }, gcode(40));
    await page.dispatchEvent('section.files', 'dragover', { dataTransfer });
    await page.dispatchEvent('section.files', 'drop', { dataTransfer });
    await page.locator('.entry', { hasText: 'long.gcode' }).waitFor();
    await page.getByRole('button', { name: 'All files' }).click();
    await page.getByRole('button', { name: 'parts', exact: true }).waitFor();
  });

  it('shows the Files view on a phone and in the dark theme, accessible', async () => {
    const looks = [
      { name: 'files-phone', phone: true, dark: false },
      { name: 'files-phone-dark', phone: true, dark: true },
      { name: 'files-dark', phone: false, dark: true },
    ];
    for (const look of looks) {
      const other = await browser.newContext({
        viewport: look.phone ? { width: 390, height: 844 } : { width: 1400, height: 900 },
        colorScheme: look.dark ? 'dark' : 'light',
        bypassCSP: true,
        reducedMotion: 'reduce',
      });
      const view = await other.newPage();
      collectConsoleProblems(view, consoleProblems);
      await view.goto(`${server.url}/`);
      await view.getByLabel('API key').fill(KEYS.admin);
      await view.getByRole('button', { name: 'Sign in' }).click();
      await view.getByRole('navigation', { name: 'Views' }).getByRole('link', { name: 'Files', exact: true }).click();
      await view.getByRole('button', { name: 'parts', exact: true }).click();
      await view.locator('.entry', { hasText: 'cube.gcode' }).waitFor();
      await screenshot(view, look.name);
      expect(await seriousAxeViolations(view)).toEqual([]);
      await other.close();
    }
  });

  it('cancels an upload in flight; nothing of it is listed', async () => {
    // Slow the upload down to about 256 KB/s so that there is time to cancel it.
    const network = await context.newCDPSession(page);
    await network.send('Network.enable');
    await network.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: 256 * 1024,
    });
    try {
      await page.locator('input[type="file"]').setInputFiles({
        name: 'huge.gcode',
        mimeType: 'text/plain',
        buffer: Buffer.from(gcode(2000)),
      });
      await page.getByRole('button', { name: 'Cancel the upload of huge.gcode' }).click();
      await expect.poll(() => page.getByRole('list', { name: 'Uploads' }).textContent()).toContain('Cancelled');
    } finally {
      await network.send('Network.emulateNetworkConditions', {
        offline: false,
        latency: 0,
        downloadThroughput: -1,
        uploadThroughput: -1,
      });
      await network.detach();
    }
    // The list as the server has it now (the page is at the top folder, where the upload was going).
    await page.getByRole('button', { name: 'Reload the file list' }).click();
    await page.getByRole('button', { name: 'parts', exact: true }).waitFor();
    expect(await page.locator('.entry', { hasText: 'huge.gcode' }).count()).toBe(0);
  });

  it('prints a file to the end with the progress bar moving', async () => {
    await page.getByRole('button', { name: 'parts', exact: true }).click();
    await page.getByRole('button', { name: 'Print cube.gcode' }).click();
    await go('Printer');
    await expect.poll(stateText).toBe('Printing');
    await expect.poll(completion).toBeGreaterThan(10);
    const midway = await completion();
    await screenshot(page, 'printer-printing');
    expect(await seriousAxeViolations(page)).toEqual([]);
    await expect.poll(completion, { timeout: 60_000 }).toBeGreaterThan(midway);
    await expect.poll(stateText, { timeout: 60_000 }).toBe('Operational');
    await expect.poll(completion).toBe(100);
    expect(await page.getByRole('progressbar', { name: 'Print progress' }).getAttribute('aria-valuenow')).toBe('100');
    await screenshot(page, 'printer-done');
  });

  it('pauses, resumes and cancels a print, each behind its confirm dialog where it matters', async () => {
    await go('Files');
    await page.getByRole('button', { name: 'Print long.gcode' }).click();
    await go('Printer');
    await expect.poll(stateText).toBe('Printing');
    // Pause once the job has moved, so that standing still while paused says something.
    await expect.poll(completion).toBeGreaterThan(0);

    await page.getByRole('button', { name: 'Pause' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Pause' }).click();
    await expect.poll(stateText).toBe('Paused');
    // The job panel reads /api/job on its own second; once it has caught up, a paused job stands still.
    await page.waitForTimeout(1500);
    const paused = await completion();
    await screenshot(page, 'printer-paused');
    await page.waitForTimeout(2000);
    expect(await completion()).toBe(paused);

    await page.getByRole('button', { name: 'Resume' }).click();
    await expect.poll(stateText).toBe('Printing');
    await expect.poll(completion).toBeGreaterThan(paused);

    // Restart from a pause: a new run from the first line, its elapsed time counting from zero again.
    await expect.poll(elapsed).toBeGreaterThan(6);
    await page.getByRole('button', { name: 'Pause' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Pause' }).click();
    await expect.poll(stateText).toBe('Paused');
    await page.waitForTimeout(1500);
    const elapsedAtPause = await elapsed();
    await page.getByRole('button', { name: 'Restart' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Restart' }).click();
    await expect.poll(stateText).toBe('Printing');
    await expect.poll(elapsed).toBeLessThan(elapsedAtPause - 3);

    await page.getByRole('button', { name: 'Cancel', exact: true }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Cancel', exact: true }).click();
    expect(await stateText()).toBe('Printing');
    await page.getByRole('button', { name: 'Cancel', exact: true }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Cancel print' }).click();
    await expect.poll(stateText, { timeout: 30_000 }).toBe('Operational');
  });

  it('copies and moves a file, and sends one to the SD card', async () => {
    await go('Files');
    const dialog = page.getByRole('dialog');
    await page.getByRole('button', { name: 'Copy cube.gcode' }).click();
    await dialog.getByLabel('Destination').fill('parts/copy.gcode');
    await dialog.getByRole('button', { name: 'Copy', exact: true }).click();
    await page.locator('.entry', { hasText: 'copy.gcode' }).waitFor();
    await page.getByRole('button', { name: 'Move copy.gcode' }).click();
    await dialog.getByLabel('Destination').fill('moved.gcode');
    await dialog.getByRole('button', { name: 'Move', exact: true }).click();
    await expect.poll(() => page.locator('.entry', { hasText: 'copy.gcode' }).count()).toBe(0);
    await page.getByRole('button', { name: 'All files' }).click();
    await page.locator('.entry', { hasText: 'moved.gcode' }).waitFor();

    await page.getByRole('button', { name: 'Send moved.gcode to SD card' }).click();
    const onCard = page.getByRole('list', { name: 'SD card' }).getByRole('listitem');
    await expect.poll(() => onCard.count(), { timeout: 60_000 }).toBeGreaterThan(0);
    expect((await onCard.first().textContent())?.toLowerCase()).toContain('moved.gco');
    await screenshot(page, 'files-sd-card');
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'parts', exact: true }).click();
  });

  it('downloads and deletes a file', async () => {
    await go('Files');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download cube.gcode' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('cube.gcode');
    await page.getByRole('button', { name: 'Delete cube.gcode' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
    await expect.poll(() => page.locator('.entry', { hasText: 'cube.gcode' }).count()).toBe(0);
  });

  it('wrote nothing to the browser console', () => {
    expect(consoleProblems).toEqual([]);
  });
});
