/**
 * On-screen subscriptions in the web client (S28, issue 15 point 2): a call with more people than
 * the grid keeps on screen (CALL_ON_SCREEN=1 here) shows the recent active speaker on the grid and
 * everyone else in a strip. A tile that is not in view (scrolled out of the strip on a phone, the
 * strip minimized on a desktop) has its video consumer paused on the server (call:debug from a test
 * socket); brought into view, it flows again. Two browsers (desktop in English, phone in Chinese)
 * and three Node participants (test/support/calls.ts).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import type { CallDebugConsumer } from '../../signaling/calls/CallTypes';
import { desktop, launchBrowser, openUser, phone, screenshot, type UserPage } from '../support/browser';
import { CallPeer, debugInfo, startCallServer } from '../support/calls';
import { connectSocket, createGroup, http, joinGroup, registerUser, request, type TestSocket, type TestUser } from '../support/client';
import { closeAll, prepareMediasoup } from '../support/media';
import type { RunningServer } from '../support/server';
import { waitFor } from '../support/wait';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** axe's serious and critical WCAG 2 A/AA findings inside the call view (ids and targets). */
async function callViewViolations(page: Page): Promise<string[]> {
  if (!(await page.evaluate('"axe" in window'))) await page.addScriptTag({ content: axeSource });
  // (a script string: the test's compiled functions would carry helpers the page lacks)
  return page.evaluate(`(async () => {
    const result = await axe.run('[data-testid="call-view"]', { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa'] }, resultTypes: ['violations'] });
    return result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => v.id + ': ' + v.nodes.slice(0, 4).map((n) => n.target.join(' ')).join(', '));
  })()`);
}

/** What a page shows of one remote video tile. */
interface ShownTile {
  uid: string;
  consumer: string;
  inView: boolean;
  onStage: boolean;
}

async function shownTiles(page: Page): Promise<ShownTile[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll<HTMLElement>('[data-testid="call-tile"][data-consumer]')].map((el) => ({
      uid: el.dataset.uid ?? '',
      consumer: el.dataset.consumer ?? '',
      inView: el.dataset.inView === 'true',
      onStage: !!el.closest('[data-testid="call-stage"]'),
    })),
  );
}

describe('web client: only what is on screen is received', () => {
  let server: RunningServer;
  let browser: Browser;
  let callid = '';
  let sessionid = '';
  let watcher: TestSocket;
  const open: { close(): void }[] = [];
  const pages: UserPage[] = [];
  const users: TestUser[] = [];
  let peers: CallPeer[] = [];
  let desk: { user: TestUser; page: Page };
  let mobile: { user: TestUser; page: Page };

  /** A signed-in page (token in storage), in the given locale, with the call debug hook on. */
  async function signedIn(user: TestUser, options: BrowserContextOptions, locale: string): Promise<Page> {
    const login = await http(server.url, 'POST', '/api/login', { body: { login: user.login, password: user.password } });
    assert.equal(login.status, 200, JSON.stringify(login.body));
    // bypassCSP: axe-core is injected as an inline script
    const opened = await openUser(browser, server.url, { ...options, locale, bypassCSP: true });
    pages.push(opened);
    opened.context.setDefaultTimeout(20_000);
    await opened.context.addInitScript(
      ({ token, me }) => {
        localStorage.setItem('cookim.debug', '1');
        if (!localStorage.getItem('cookim.token')) {
          localStorage.setItem('cookim.token', JSON.stringify(token));
          localStorage.setItem('cookim.user', JSON.stringify(me));
        }
      },
      { token: login.body.token as string, me: login.body.user as unknown },
    );
    await opened.page.goto('/');
    await opened.page.getByRole('heading', { name: locale === 'zh-CN' ? '聊天' : 'Chats' }).waitFor();
    return opened.page;
  }

  /** The server's video consumers of `uid`, by consumer id: paused or not. */
  async function videoConsumers(uid: string): Promise<Map<string, CallDebugConsumer>> {
    const call = (await debugInfo(watcher)).flatMap((p) => p.calls).find((c) => c.callid === callid);
    const states = (call?.consumerStates ?? []).filter((c) => c.uid === uid && c.kind === 'video');
    return new Map(states.map((c) => [c.consumerId, c]));
  }

  /** Waits until every remote tile's consumer is paused exactly when the tile is out of view. */
  async function inStep(page: Page, uid: string, what: string, check: (tiles: ShownTile[]) => boolean = () => true): Promise<ShownTile[]> {
    return waitFor(
      what,
      async () => {
        const tiles = await shownTiles(page);
        if (tiles.length !== 4 || !check(tiles)) return undefined;
        const server = await videoConsumers(uid);
        const agree = tiles.every((t) => server.get(t.consumer)?.paused === !t.inView);
        // the page may have moved on meanwhile (a new speaker): read it again
        const again = await shownTiles(page);
        return agree && JSON.stringify(again) === JSON.stringify(tiles) ? tiles : undefined;
      },
      30_000,
      300,
    );
  }

  before(
    async () => {
      await prepareMediasoup();
      [server, browser] = await Promise.all([startCallServer(1, { CALL_ON_SCREEN: '1', CALL_RING_TIMEOUT: '60' }), launchBrowser()]);
      for (const name of ['Ana', 'Bo', 'Cy', 'Desk', 'Phone']) users.push(await registerUser(server.url, name));
      const group = await createGroup(server.url, users[0]!, 'Big call');
      sessionid = group.sessionid;
      for (const u of users.slice(1)) await joinGroup(server.url, u, group.sessionid);
      desk = { user: users[3]!, page: await signedIn(users[3]!, desktop, 'en-US') };
      mobile = { user: users[4]!, page: await signedIn(users[4]!, phone, 'zh-CN') };
      const sockets = await Promise.all(users.slice(0, 3).map((u) => connectSocket(server.url, u.token)));
      open.push(...sockets);
      watcher = sockets[0]!;
      ({
        call: { callid },
      } = await request(sockets[0]!, 'call:start', { sessionid: group.sessionid, kind: 'video' }));
      peers = users.slice(0, 3).map((u, i) => new CallPeer(u.user.nickname, u.uid, sockets[i]!));
      open.push(...peers);
      // one of them talks, the others are muted from the start (fewer speaker changes to follow)
      peers[0]!.media.micOn = false;
      peers[1]!.media.micOn = false;
      for (const p of peers) await p.join(callid);
    },
    { timeout: 10 * 60_000 },
  );

  after(async () => {
    for (const p of pages) await p.context.close().catch(() => undefined);
    await closeAll(open);
    await browser?.close();
    await server?.stop();
  });

  test('both browsers join the call and see the large-call layout', { timeout: 120_000 }, async () => {
    for (const { page } of [desk, mobile]) {
      await page.goto(`/c/${sessionid}`);
      await page.getByTestId('call-join').click();
      await page.locator('[data-testid="call-view"][data-phase="in-call"]').waitFor({ timeout: 40_000 });
      // their fake microphones beep: muted, so the recent speaker stays the one who talks
      await page.getByTestId('call-mic').click();
    }
    for (const { page } of [desk, mobile]) {
      await page.locator('.call-view.layout-crowd').waitFor({ timeout: 30_000 });
      assert.equal(await page.getByTestId('call-stage').getByTestId('call-tile').count(), 1);
      // you and the three not on the grid
      await page.getByTestId('call-strip').getByTestId('call-tile').nth(3).waitFor();
    }
    assert.equal((await desk.page.getByTestId('call-more').textContent())?.trim(), 'Hide the others');
    assert.equal((await mobile.page.getByTestId('call-more').textContent())?.trim(), '收起其他人');
    assert.equal(await mobile.page.getByTestId('call-strip').getAttribute('aria-label'), '其他参与者（3）');
    for (const { page } of [desk, mobile]) assert.deepEqual(await callViewViolations(page), [], 'axe finds nothing serious in the call view');
  });

  test('the grid keeps the active speaker on screen', { timeout: 60_000 }, async () => {
    for (const { page, user } of [desk, mobile]) {
      await page.waitForFunction(
        (me) => {
          const hook = (window as unknown as { __cookimCall?: { state: { speaker: string | null } } }).__cookimCall;
          const speaker = hook?.state.speaker;
          if (!speaker || speaker === me) return false;
          return !!document.querySelector(`[data-testid="call-stage"] [data-testid="call-tile"][data-uid="${speaker}"]`);
        },
        user.uid,
        { timeout: 30_000 },
      );
    }
  });

  test('desktop: every tile in view flows; the minimized strip’s tiles pause and resume', { timeout: 120_000 }, async () => {
    const { page, user } = desk;
    const all = await inStep(page, user.uid, 'every desktop tile in view and flowing', (tiles) => tiles.every((t) => t.inView));
    assert.equal(all.length, 4);
    await page.waitForTimeout(500);
    await screenshot(page, 'desktop-call-crowd');

    await page.getByTestId('call-more').click();
    assert.equal(await page.getByTestId('call-more').getAttribute('aria-expanded'), 'false');
    assert.equal((await page.getByTestId('call-more').textContent())?.trim(), '+3 more');
    const minimized = await inStep(page, user.uid, 'the strip’s consumers paused', (tiles) => tiles.filter((t) => !t.inView).length === 3);
    assert.deepEqual(
      minimized.filter((t) => t.inView).map((t) => t.onStage),
      [true],
      'only the grid’s tile flows',
    );
    await screenshot(page, 'desktop-call-crowd-minimized');

    await page.getByTestId('call-more').click();
    await inStep(page, user.uid, 'the strip flows again', (tiles) => tiles.every((t) => t.inView));

    // the page goes to the background (another tab): no video flows; back, it all flows again
    // (a script string: the test's compiled functions would carry helpers the page lacks)
    const setHidden = (hidden: boolean) =>
      page.evaluate(
        `Object.defineProperty(document, 'visibilityState', { configurable: true, value: '${hidden ? 'hidden' : 'visible'}' });
         document.dispatchEvent(new Event('visibilitychange'));`,
      );
    await setHidden(true);
    await inStep(page, user.uid, 'nothing flows to a hidden page', (tiles) => tiles.every((t) => !t.inView));
    await setHidden(false);
    await inStep(page, user.uid, 'everything flows again', (tiles) => tiles.every((t) => t.inView));
  });

  test('phone (zh-CN): tiles scrolled out of the strip are paused; scrolled in, they flow', { timeout: 120_000 }, async () => {
    const { page, user } = mobile;
    const before = await inStep(page, user.uid, 'some phone tiles out of view and paused', (tiles) => tiles.some((t) => !t.inView));
    const hidden = before.filter((t) => !t.inView);
    assert.ok(hidden.every((t) => !t.onStage), 'the grid is always in view');
    await page.waitForTimeout(300);
    await screenshot(page, 'phone-call-crowd-zh');

    // the strip scrolls to its end: the last tiles come into view and flow
    await page.getByTestId('call-strip').evaluate((strip) => strip.scrollTo({ left: strip.scrollWidth }));
    const last = hidden[hidden.length - 1]!;
    await inStep(page, user.uid, 'the tile scrolled into view flows', (tiles) => tiles.some((t) => t.uid === last.uid && t.inView));
    await screenshot(page, 'phone-call-crowd-zh-scrolled');
    // the strip is reachable by keyboard and labelled
    await page.getByTestId('call-strip').focus();
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-testid')), 'call-strip');
  });
});
