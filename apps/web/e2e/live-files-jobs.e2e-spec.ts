import { HotendClient } from '@hotend/sdk';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectConsoleProblems, launchChromium } from './browser';
import { KEYS, type RunningServer, startServer } from './server';

/** About `seconds` of dwells on the simulator, with a slicer's time hint and some extrusion for the analysis. */
function gcode(seconds: number): string {
  const lines = [`;TIME:${seconds}`, 'G28', 'G90', 'M83'];
  for (let step = 0; step < seconds * 5; step += 1) lines.push(`G1 X${10 + (step % 40)} Y10 E0.1 F3000`, 'G4 P200');
  return `${lines.join('\n')}\n`;
}

let server: RunningServer;
let browser: Browser;
let page: Page;
const consoleProblems: string[] = [];
/** Paths of the page's requests to the REST API, in order. */
const requests: string[] = [];
const readsOf = (path: string): number => requests.filter((request) => request === path).length;

beforeAll(async () => {
  server = await startServer();
  browser = await launchChromium();
  page = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
  collectConsoleProblems(page, consoleProblems);
  page.on('request', (request) => requests.push(new URL(request.url()).pathname));
  await page.goto(`${server.url}/`);
  await page.getByLabel('API key').fill(KEYS.admin);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('printer-state').filter({ hasText: 'Operational' }).waitFor();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

async function go(view: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Views' }).getByRole('link', { name: view, exact: true }).click();
}

const completion = async (): Promise<number> =>
  Number.parseFloat((await page.getByTestId('job-completion').textContent()) ?? '');
const stateText = async (): Promise<string> => (await page.getByTestId('printer-state').textContent()) ?? '';

describe('the file list and the job panel over the push socket (Chromium against the simulator)', () => {
  it('shows files another client uploads and deletes, from the file events, without polling the list', async () => {
    await go('Files');
    // Let the socket's history arrive: from then on the stores stop polling.
    await page.waitForTimeout(1500);
    const sdk = new HotendClient({ baseUrl: server.url, apiKey: KEYS.admin });
    const listReads = readsOf('/api/files');
    await sdk.files.upload('local', new Blob([gcode(5)]), { filename: 'pushed.gcode' });
    const entry = page.locator('.entry', { hasText: 'pushed.gcode' });
    await entry.waitFor();
    // The analysis finishing (MetadataAnalysisFinished) brings its facts in too.
    await expect.poll(() => entry.textContent()).toMatch(/mm filament/);
    // The list was read again only because the server announced changes (FileAdded/UpdatedFiles, the analysis).
    expect(readsOf('/api/files') - listReads).toBeGreaterThan(0);
    expect(readsOf('/api/files') - listReads).toBeLessThanOrEqual(6);
    await page.waitForTimeout(2500);
    const idleReads = readsOf('/api/files');
    await page.waitForTimeout(2500);
    expect(readsOf('/api/files')).toBe(idleReads);
  });

  it('follows a print another client starts, progress and end, from current without reading /api/job', async () => {
    const sdk = new HotendClient({ baseUrl: server.url, apiKey: KEYS.admin });
    await go('Printer');
    const jobReads = readsOf('/api/job');
    await sdk.files.select('local', 'pushed.gcode', true);
    await expect.poll(stateText).toBe('Printing');
    await expect.poll(() => page.getByText('pushed.gcode').count()).toBeGreaterThan(0);
    await expect.poll(completion).toBeGreaterThan(0);
    const midway = await completion();
    await expect.poll(completion, { timeout: 60_000 }).toBeGreaterThan(midway);
    await expect.poll(stateText, { timeout: 60_000 }).toBe('Operational');
    await expect.poll(completion).toBe(100);
    expect(readsOf('/api/job')).toBe(jobReads);

    await go('Files');
    await sdk.files.delete('local', 'pushed.gcode');
    await expect.poll(() => page.locator('.entry', { hasText: 'pushed.gcode' }).count()).toBe(0);
  });

  it('wrote nothing to the browser console', () => {
    expect(consoleProblems).toEqual([]);
  });
});
