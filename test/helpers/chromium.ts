/**
 * A real headless browser for the report tests: Debian's /usr/bin/chromium
 * driven by playwright-core (never a downloaded browser), a fresh profile
 * in a temp dir, and no network: every request that is not the opened file
 * itself is aborted and recorded. Closed (profile removed) when the test ends.
 *
 *   const browser = await openChromium(t);
 *   const p = await browser.openFile('/tmp/x/report.html');
 *   await p.page.waitForSelector('body[data-charts]');
 *   assert.deepEqual(p.consoleErrors, []); assert.deepEqual(p.offPage(), []);
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

/** Flags for a quiet, offline, throw-away browser (the profile dir is given by playwright as --user-data-dir). */
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface OpenedFile {
  page: Page;
  /** console.error lines and uncaught page errors, in order */
  consoleErrors: string[];
  /** every URL the page requested, including the file itself */
  requests: string[];
  /** requests that were blocked (anything but the opened file) */
  blocked: string[];
  /** the requests that were not the opened file itself */
  offPage(): string[];
}

export interface TestChromium {
  context: BrowserContext;
  /** open a file from disk in a new page, with the network blocked */
  openFile(path: string, viewport?: { width: number; height: number }): Promise<OpenedFile>;
}

/** Launch Debian's chromium headless with a fresh --user-data-dir; closed in t.after. */
export async function openChromium(t: { after: (fn: () => unknown) => void }): Promise<TestChromium> {
  const profile = mkdtempSync(join(tmpdir(), 'eeb-chromium-'));
  let context: BrowserContext;
  try {
    // launchPersistentContext passes `profile` as --user-data-dir (playwright refuses it among args)
    context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS, offline: true });
  } catch (e) {
    rmSync(profile, { recursive: true, force: true });
    throw e;
  }
  // the browser first: it writes to its profile until it is gone
  t.after(async () => {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  });
  return {
    context,
    async openFile(path, viewport = { width: 1200, height: 900 }) {
      const url = pathToFileURL(path).href;
      const page = await context.newPage();
      await page.setViewportSize(viewport);
      const consoleErrors: string[] = [];
      const requests: string[] = [];
      const blocked: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') consoleErrors.push(m.text());
      });
      page.on('pageerror', (e) => consoleErrors.push(`pageerror: ${e.message}`));
      page.on('request', (r) => requests.push(r.url()));
      await page.route('**/*', (route) => {
        const u = route.request().url();
        if (u === url) return route.continue();
        blocked.push(u);
        return route.abort('blockedbyclient');
      });
      await page.goto(url, { waitUntil: 'load' });
      return { page, consoleErrors, requests, blocked, offPage: () => requests.filter((r) => r !== url) };
    },
  };
}
