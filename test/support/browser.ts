/**
 * Browser harness for the e2e tests: Debian's chromium driven by playwright-core (no downloaded
 * browsers, see ENVIRONMENT.md), a fresh context per user, and screenshots under test-output/.
 */
import { mkdirSync } from 'node:fs';
import { after, before } from 'node:test';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';
import { startServer, type RunningServer } from './server';

export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
export const screenshotDir = path.join(root, 'test-output', 'screenshots');

export const desktop: BrowserContextOptions = { viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 };
export const phone: BrowserContextOptions = {
  viewport: { width: 360, height: 640 },
  deviceScaleFactor: 2,
  isMobile: true,
  hasTouch: true,
  userAgent:
    'Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Mobile Safari/537.36',
};

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    // playwright gives every launch a fresh temporary profile (the --user-data-dir of ENVIRONMENT.md)
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream',
    ],
  });
}

export interface UserPage {
  context: BrowserContext;
  page: Page;
  /** Uncaught page errors and browser dialogs seen so far (a dialog means injected script ran). */
  pageErrors: string[];
  dialogs: string[];
}

/** A fresh, isolated browser context (own storage and cookies) with one page at the app's origin. */
export async function openUser(browser: Browser, baseURL: string, options: BrowserContextOptions = desktop): Promise<UserPage> {
  const context = await browser.newContext({ locale: 'en-US', ...options, baseURL });
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  const pageErrors: string[] = [];
  const dialogs: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('dialog', (dialog) => {
    dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    void dialog.dismiss();
  });
  return { context, page, pageErrors, dialogs };
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(screenshotDir, { recursive: true });
  const file = path.join(screenshotDir, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}

/**
 * One app server (`start`'s, a plain one by default) and one Chromium for the enclosing suite (or
 * file), both closed after it; `ready` may go on preparing the suite with them.
 */
export function useServerAndBrowser(
  ready: (server: RunningServer, browser: Browser) => void | Promise<void>,
  start: () => Promise<RunningServer> = () => startServer(),
): void {
  let server: RunningServer | undefined;
  let browser: Browser | undefined;
  before(async () => {
    [server, browser] = await Promise.all([start(), launchBrowser()]);
    await ready(server, browser);
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });
}
