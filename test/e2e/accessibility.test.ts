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
import { connectSocket, http, joinGroup, registerUser, request, type TestSocket, type TestUser } from '../support/client';
import { LivePeer, startPublicStream } from '../support/live';
import { closeAll } from '../support/media';
import type { RunningServer } from '../support/server';
import { createGroup, newAccount, register, uidOf } from '../support/userSteps';

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
        await page.goto('/login');
        await page.getByRole('button', { name: 'Sign in' }).waitFor();
        await check('login');
        await page.goto('/register');
        await page.getByRole('button', { name: 'Create account' }).waitFor();
        await check('register');

        const account = newAccount('Ada');
        await register(page, account);
        const uid = await uidOf(page);
        // a private chat Lin opens, and a group Lin joins; both with a message from Lin
        const privateChat = await http(server.url, 'POST', '/api/sessions/private', { token: peer.token, body: { uid } });
        const privateId = privateChat.body.session.sessionid as string;
        const groupId = await createGroup(page, `Readers ${name}`);
        await joinGroup(server.url, peer, groupId);
        await page.goto('/');
        await page.getByRole('heading', { name: 'Chats' }).waitFor();
        await page.locator(`a[data-session="${privateId}"]`).waitFor();
        await check('chat-list');

        await page.goto(`/c/${privateId}`);
        await page.getByTestId('composer-input').waitFor();
        await check('private-chat');

        await page.goto(`/c/${groupId}`);
        await page.getByTestId('composer-input').waitFor();
        const details = page.getByRole('complementary', { name: 'Conversation details' });
        // wide screens open the details with the chat; elsewhere the info button does
        const infoButton = page.getByTestId('info-button');
        if ((await infoButton.getAttribute('aria-expanded')) !== 'true') await infoButton.click();
        await details.getByRole('heading', { name: 'Group info' }).waitFor();
        await check('group-info');

        await page.goto('/new-group');
        await page.getByLabel('Group name').waitFor();
        await check('new-group');
        await page.goto('/discover');
        await page.getByRole('heading', { name: 'Discover groups' }).waitFor();
        await check('discover');
        await page.goto('/profile');
        await page.getByRole('button', { name: 'Save profile' }).waitFor();
        await check('profile');
        await page.goto('/live');
        await page.locator(`[data-testid="live-stream-item"][data-streamid="${streamid}"]`).waitFor();
        await check('live-directory');
        await page.goto(`/live/${streamid}`);
        await page.getByTestId('live-view').waitFor();
        await check('live-viewer');
        await page.goto(`/live/new?sessionid=${groupId}`);
        await page.getByTestId('go-live-view').waitFor();
        await page.waitForFunction(() => (document.querySelector<HTMLVideoElement>('[data-testid="live-preview"]')?.videoWidth ?? 0) > 0);
        await check('go-live');

        // a call: Lin rings the group, and Ada joins from the chat
        await page.goto(`/c/${groupId}`);
        await page.getByTestId('composer-input').waitFor();
        const { call } = await request<{ call: { callid: string } }>(peerSocket, 'call:start', { sessionid: groupId, kind: 'video' });
        await request(peerSocket, 'call:join', { callid: call.callid });
        const ring = page.getByTestId('incoming-call');
        await ring.waitFor();
        await check('incoming-call');
        await ring.getByRole('button', { name: 'Accept' }).click();
        await page.getByTestId('call-view').waitFor();
        await check('call');
        await page.getByRole('button', { name: 'Hang up' }).click();
        await request(peerSocket, 'call:leave', { callid: call.callid }).catch(() => undefined);
      } finally {
        await context.close();
      }
      assert.deepEqual(found, [], `axe found:\n${found.join('\n')}`);
    });
  }
});
