/**
 * Accessibility of every page (issue 14): axe-core's WCAG 2 A and AA rules, contrast included, run
 * in Chromium on each screen of the app (sign-in, registration, the chat list, a private chat, a
 * group chat with its details open, new group, discover, profile, the live directory, go-live, a
 * live viewer page, a call) on a phone and a desktop, each in light and dark colours. No serious
 * or critical violation may remain: the app is fixed, rules are never switched off.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { after, describe, test } from 'node:test';
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { desktop, openUser, phone, screenshot, useServerAndBrowser } from '../support/browser';
import { startBrowserCallServer } from '../support/calls';
import { connectSocket, registerUser, type TestSocket, type TestUser } from '../support/client';
import { LivePeer, startPublicStream } from '../support/live';
import { closeAll } from '../support/media';
import { tourEveryPage } from '../support/pageTour';
import type { RunningServer } from '../support/server';
import { newAccount } from '../support/userSteps';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface Violation {
  id: string;
  impact: string;
  help: string;
  nodes: string[];
}

/** axe's serious and critical WCAG 2 A/AA violations on the page as it is now. */
async function seriousViolations(page: Page): Promise<Violation[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ content: axeSource });
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: typeof import('axe-core') }).axe;
    const result = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa'] }, resultTypes: ['violations'] });
    return result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => ({
        id: v.id,
        impact: v.impact ?? '',
        help: v.help,
        nodes: v.nodes.slice(0, 6).map((n) => `${n.target.join(' ')} :: ${(n.failureSummary ?? '').replace(/\s+/g, ' ').slice(0, 220)}`),
      }));
  });
}

/** Runs axe on the page in light and dark colours, with a screenshot of each; answers what failed. */
async function checkBothSchemes(page: Page, label: string): Promise<string[]> {
  const found: string[] = [];
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme, reducedMotion: 'reduce' });
    // transitions, lazy chunks and the restyle behind a blurred backdrop settle
    await page.waitForTimeout(700);
    for (const v of await seriousViolations(page)) found.push(`${label} (${scheme}): ${v.id} [${v.impact}] ${v.help}\n    ${v.nodes.join('\n    ')}`);
    await screenshot(page, `a11y-${label}-${scheme}`);
  }
  return found;
}

const variants: [string, BrowserContextOptions][] = [
  ['desktop', desktop],
  ['phone', phone],
];

describe('accessibility of every page (axe-core, WCAG 2 AA)', () => {
  let server: RunningServer;
  let browser: Browser;
  let peer: TestUser;
  let peerSocket: TestSocket;
  // the publisher lives only here: closeAll collects it before the process exits (wrtc)
  const open: LivePeer[] = [];
  let streamid = '';

  // before the server and browser close (after hooks run in order)
  after(async () => {
    await closeAll(open);
    peerSocket?.disconnect();
  });
  useServerAndBrowser(async (s, b) => {
    [server, browser] = [s, b];
    // Lin streams live in public, so the directory and a viewer page have something to show
    peer = await registerUser(server.url, 'Lin Wei');
    peerSocket = await connectSocket(server.url, peer.token);
    streamid = await startPublicStream(await connectSocket(server.url, peer.token), 'Morning run', open);
  }, startBrowserCallServer);

  for (const [name, options] of variants) {
    test(`${name}: no serious or critical violation on any page, light or dark`, { timeout: 240_000 }, async () => {
      const { page, context } = await openUser(browser, server.url, { ...options, bypassCSP: true });
      context.setDefaultTimeout(20_000);
      const found: string[] = [];
      const check = async (label: string) => found.push(...(await checkBothSchemes(page, `${name}-${label}`)));
      try {
        await tourEveryPage(page, {
          serverUrl: server.url,
          account: newAccount('Ada'),
          groupName: `Readers ${name}`,
          peer,
          peerSocket,
          streamid,
          check,
        });
      } finally {
        await context.close();
      }
      assert.deepEqual(found, [], `axe found:\n${found.join('\n')}`);
    });
  }
});
