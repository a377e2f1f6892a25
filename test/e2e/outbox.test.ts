/**
 * The web client's outbox (issue 10): messages and an image written while offline are kept (also
 * across a reload made while still offline: the service worker serves the app shell, the chat
 * cache the conversation), shown as sending, and go out by themselves once the connection
 * returns: each exactly once, in order, with the other member seeing them live. Only a refusal
 * from the server marks a message failed, with retry and discard on screen (phone and desktop);
 * a network failure never does.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import type { Browser, Page } from 'playwright-core';
import { desktop, launchBrowser, openUser, phone, screenshot, type UserPage } from '../support/browser';
import { http } from '../support/client';
import { startServer, type RunningServer } from '../support/server';
import { attachFiles, composer, createGroup, joinPublicGroup, login, messages, newAccount, register, sendMessage, waitForMessage } from '../support/userSteps';

interface StoredMessage {
  msgid: string;
  seq: number;
  uuid: string;
  msgtype: number;
  msg: string;
  senduid: string;
}

/** Types and taps Send (Enter is a new line on phones), without waiting for an acknowledgement. */
async function type(page: Page, text: string): Promise<void> {
  await composer(page).fill(text);
  await page.getByTestId('send-button').click();
}

async function tokenOf(page: Page): Promise<string> {
  const token = await page.evaluate(() => JSON.parse(localStorage.getItem('cookim.token') ?? 'null') as string | null);
  assert.ok(token, 'signed in');
  return token;
}

/** The conversation's stored history, oldest first, read over HTTP. */
async function history(server: RunningServer, token: string, sessionid: string): Promise<StoredMessage[]> {
  const res = await http<{ messages: StoredMessage[] }>(server.url, 'GET', `/api/sessions/${sessionid}/messages?limit=50`, { token });
  assert.equal(res.status, 200);
  return [...res.body.messages].sort((a, b) => a.seq - b.seq);
}

/** How many messages the page's outbox holds on disk (IndexedDB), whatever their state. */
async function storedOutbox(page: Page): Promise<number> {
  return page.evaluate(
    () =>
      new Promise<number>((resolve, reject) => {
        const open = indexedDB.open('cookim-outbox');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          if (!db.objectStoreNames.contains('messages')) {
            db.close();
            resolve(0);
            return;
          }
          const count = db.transaction('messages').objectStore('messages').count();
          count.onsuccess = () => {
            db.close();
            resolve(count.result);
          };
          count.onerror = () => reject(count.error);
        };
      }),
  );
}

/** The socket is really down: the page says so (banner and the composer's note). */
async function waitUntilDisconnected(page: Page): Promise<void> {
  await page.getByTestId('connection-banner').waitFor({ timeout: 30_000 });
  await page.getByTestId('offline-note').waitFor();
}

/**
 * The service worker controls the page and holds the app shell and every file the page loaded
 * (entry bundle, styles, route chunks), so the app can start again without a network.
 */
async function waitForOfflineShell(page: Page): Promise<void> {
  await page.waitForFunction(
    async () => {
      if (!navigator.serviceWorker.controller) return false;
      const name = (await caches.keys()).find((key) => key.startsWith('cookim-shell-'));
      if (!name) return false;
      const cache = await caches.open(name);
      const assets = performance
        .getEntriesByType('resource')
        .map((entry) => new URL(entry.name))
        .filter((url) => url.origin === location.origin && url.pathname.startsWith('/assets/'))
        .map((url) => url.pathname);
      const found = await Promise.all(['/index.html', ...assets].map((url) => cache.match(url)));
      return found.every(Boolean);
    },
    null,
    { polling: 250, timeout: 30_000 },
  );
}

/** Bottom-right corner controls of a message are inside the window and inside the message list. */
async function assertOnScreen(page: Page, testid: string, message: ReturnType<Page['locator']>): Promise<void> {
  const control = message.getByTestId(testid);
  await control.waitFor();
  const box = await control.boundingBox();
  const list = await page.getByTestId('message-list').boundingBox();
  const viewport = page.viewportSize()!;
  assert.ok(box && list, `${testid} has a box`);
  assert.ok(box.y >= list.y - 1 && box.y + box.height <= list.y + list.height + 1, `${testid} inside the list (${JSON.stringify({ box, list })})`);
  assert.ok(box.x >= 0 && box.x + box.width <= viewport.width && box.y + box.height <= viewport.height, `${testid} inside the window`);
}

describe('web client: the outbox keeps what was written offline', () => {
  let server: RunningServer;
  let browser: Browser;
  let alice: UserPage;
  let bob: UserPage;
  const aliceAccount = newAccount('Alice');
  const bobAccount = newAccount('Bob');
  const groupName = `Outbox ${Date.now().toString(36)}`;
  let sessionid = '';
  let png: Buffer;

  before(async () => {
    [server, browser, png] = await Promise.all([
      startServer(),
      launchBrowser(),
      sharp({ create: { width: 320, height: 200, channels: 3, background: { r: 40, g: 160, b: 90 } } })
        .png()
        .toBuffer(),
    ]);
    alice = await openUser(browser, server.url, desktop);
    bob = await openUser(browser, server.url, desktop);
    await register(alice.page, aliceAccount);
    await register(bob.page, bobAccount);
    sessionid = await createGroup(alice.page, groupName);
    await joinPublicGroup(bob.page, groupName);
    await sendMessage(alice.page, 'Before the tunnel');
    await waitForMessage(bob.page, 'Before the tunnel');
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('three texts and an image sent offline survive a reload and arrive once, in order, at both ends', async () => {
    const { context, page } = alice;
    const token = await tokenOf(page);
    const before = (await history(server, token, sessionid)).length;
    const texts = ['Offline one', 'Offline two', 'Offline three'];
    await waitForOfflineShell(page);

    await context.setOffline(true);
    await waitUntilDisconnected(page);
    for (const text of texts) await type(page, text);
    await attachFiles(page, [{ name: 'tunnel.png', mimeType: 'image/png', buffer: png }]);

    const outgoing = page.locator('[data-testid="message"][data-uuid]');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="message"][data-uuid]').length === 4);
    // the file's lookup and upload fail for want of a network: still "sending", nothing failed
    await page.waitForTimeout(1000);
    assert.deepEqual(await outgoing.evaluateAll((els) => els.map((el) => el.getAttribute('data-status'))), ['sending', 'sending', 'sending', 'sending']);
    assert.equal(await page.getByTestId('retry').count(), 0);
    assert.equal(await page.getByRole('img', { name: 'Waiting for connection' }).count(), 4);
    const uuids = await outgoing.evaluateAll((els) => els.map((el) => el.getAttribute('data-uuid')));
    await page.waitForFunction(
      () =>
        new Promise<boolean>((resolve) => {
          const open = indexedDB.open('cookim-outbox');
          open.onsuccess = () => {
            const count = open.result.transaction('messages').objectStore('messages').count();
            count.onsuccess = () => {
              open.result.close();
              resolve(count.result === 4);
            };
          };
          open.onerror = () => resolve(false);
        }),
      null,
      { polling: 200 },
    );
    await screenshot(page, 'desktop-outbox-offline');

    // reload while still offline: the service worker serves the app, the chat cache the
    // conversation (its title, the message before the tunnel) and the outbox its queue
    await page.reload();
    await waitUntilDisconnected(page);
    await page.getByTestId('chat-title').filter({ hasText: groupName }).waitFor();
    await waitForMessage(page, 'Before the tunnel', { mine: true });
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="message"][data-uuid]').length === 4);
    assert.deepEqual(await outgoing.evaluateAll((els) => els.map((el) => el.getAttribute('data-uuid'))), uuids, 'the same messages, same order, same uuids');
    assert.deepEqual(await outgoing.evaluateAll((els) => els.map((el) => el.getAttribute('data-status'))), ['sending', 'sending', 'sending', 'sending']);
    assert.equal(await page.getByTestId('retry').count(), 0);
    assert.equal(await page.getByTestId('send-button').isDisabled(), true, 'nothing typed yet');
    await composer(page).fill('typed offline, not sent');
    assert.equal(await page.getByTestId('send-button').isEnabled(), true, 'the composer works offline');
    await composer(page).fill('');
    assert.equal(await page.url().endsWith(`/c/${sessionid}`), true, 'still signed in, still in the conversation');
    // the image's preview comes back from the stored bytes
    await page.locator('[data-testid="message"][data-uuid] [data-testid="attachment"] img').waitFor();
    const meanwhile = (await history(server, token, sessionid)).slice(before);
    assert.deepEqual(meanwhile, [], 'nothing reached the server while offline');
    await screenshot(page, 'desktop-outbox-offline-reload');

    // back online: everything goes out by itself
    await context.setOffline(false);
    await page.getByTestId('connection-banner').waitFor({ state: 'detached', timeout: 30_000 });
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="message"][data-uuid]').length === 0, null, { timeout: 30_000 });
    for (const text of texts) await waitForMessage(page, text, { mine: true });
    await page.locator('[data-testid="message"][data-msgtype="1"][data-status="sent"]').waitFor();
    assert.equal(await storedOutbox(page), 0, 'the outbox on disk is empty');

    // Bob saw them live, once each, in order, the image last
    for (const text of texts) await waitForMessage(bob.page, text);
    await bob.page.locator('[data-testid="message"][data-msgtype="1"]').waitFor();
    const bobSeqs = await bob.page
      .getByTestId('message')
      .evaluateAll((els) => els.map((el) => ({ seq: Number(el.getAttribute('data-seq')), text: el.textContent ?? '', type: el.getAttribute('data-msgtype') })));
    const bobNew = bobSeqs.slice(-4);
    assert.deepEqual(
      bobNew.map((m) => (m.type === '1' ? 'image' : texts.find((t) => m.text.includes(t)))),
      [...texts, 'image'],
    );
    for (const text of texts) assert.equal(await messages(bob.page, text).count(), 1);

    // the server's history: exactly four new messages, in order, with the uuids written offline
    const stored = (await history(server, token, sessionid)).slice(before);
    assert.equal(stored.length, 4, JSON.stringify(stored));
    assert.deepEqual(
      stored.map((m) => m.msg),
      [...texts, 'tunnel.png'],
    );
    assert.deepEqual(
      stored.map((m) => m.msgtype),
      [0, 0, 0, 1],
    );
    assert.deepEqual(
      stored.map((m) => m.uuid),
      uuids,
    );
    assert.deepEqual(alice.pageErrors, []);
    await screenshot(bob.page, 'desktop-outbox-arrived');
  });

  for (const [label, viewport] of [
    ['desktop', desktop],
    ['phone', phone],
  ] as const) {
    test(`on a ${label}: a refusal marks the message failed with retry and discard on screen; a network failure does not`, async () => {
      const user = await openUser(browser, server.url, viewport);
      try {
        const { page, context } = user;
        await login(page, aliceAccount);
        await page.goto(`/c/${sessionid}`);
        await page.getByTestId('chat-title').filter({ hasText: groupName }).waitFor();
        const token = await tokenOf(page);
        const before = (await history(server, token, sessionid)).length;

        // 9 KB as typed, 28 KB once the server turned the shortcodes into flags: too_large
        const big = ':england: '.repeat(900).trim();
        await type(page, big);
        const failed = page.locator('[data-testid="message"][data-status="failed"]');
        await failed.waitFor({ timeout: 20_000 });
        await assertOnScreen(page, 'retry', failed);
        await assertOnScreen(page, 'discard', failed);
        await failed.getByText(/Not sent: .*at most/).waitFor();
        await screenshot(page, `${label}-outbox-refused`);

        // retrying gets the same refusal; discarding removes it for good (also from disk)
        await failed.getByTestId('retry').click();
        await page.locator('[data-testid="message"][data-status="failed"]').waitFor({ timeout: 20_000 });
        await failed.getByTestId('discard').click();
        await failed.waitFor({ state: 'detached' });
        assert.equal(await storedOutbox(page), 0);

        // an upload the server refuses is a refusal too
        await page.route((url) => url.pathname === '/api/files', (route) =>
          route.request().method() === 'POST'
            ? route.fulfill({ status: 415, json: { error: { code: 'invalid_file', message: 'test: this file is refused' } } })
            : route.fallback(),
        );
        await attachFiles(page, [{ name: `refused-${label}.txt`, mimeType: 'text/plain', buffer: Buffer.from(`refused ${Date.now()}`) }]);
        await failed.waitFor({ timeout: 20_000 });
        await failed.getByText('Not sent: test: this file is refused').waitFor();
        await assertOnScreen(page, 'retry', failed);
        await assertOnScreen(page, 'discard', failed);
        await failed.getByTestId('discard').click();
        await failed.waitFor({ state: 'detached' });
        await page.unrouteAll();

        // a network failure: queued, never failed, sent once the network is back
        const text = `Through the network failure (${label})`;
        await context.setOffline(true);
        await waitUntilDisconnected(page);
        await type(page, text);
        const queued = page.locator('[data-testid="message"][data-uuid]');
        await queued.waitFor();
        await page.waitForTimeout(1500);
        assert.equal(await queued.getAttribute('data-status'), 'sending');
        assert.equal(await page.getByTestId('retry').count(), 0);
        await context.setOffline(false);
        await waitForMessage(page, text, { mine: true });
        await page.getByTestId('offline-note').waitFor({ state: 'detached' });
        const stored = (await history(server, token, sessionid)).slice(before);
        assert.deepEqual(
          stored.map((m) => m.msg),
          [text],
        );
        assert.deepEqual(user.pageErrors, []);
      } finally {
        await user.context.close();
      }
    });
  }
});
