/**
 * Conversation events in the web client (issue 12, point 2). Alice on a desktop in English uses
 * the hover toolbar and right click; Bob on a phone in Chinese uses long presses. Each pass:
 * a reply (the quote shown, a click on it jumps to the original, loading older history pages),
 * a reaction (a chip counting 1, one's own pressed; the other's reaction makes it 2), an edit
 * (the "edited" mark; the other side sees the new text live), a delete (a tombstone on both
 * sides), a pin (in the pinned list), markdown, a link preview card (a local page; the node runs
 * with LINK_PREVIEW_ALLOW_PRIVATE=1), and a line when a member joins.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { Browser, Locator, Page } from 'playwright-core';
import { desktop, launchBrowser, openUser, phone, screenshot, type UserPage } from '../support/browser';
import { connectSocket, createGroup, joinGroup, registerUser, request, sessionToken, type TestSocket, type TestUser } from '../support/client';
import { jpeg } from '../support/files';
import { startServer, type RunningServer } from '../support/server';
import { hasHorizontalScroll } from '../support/userSteps';

/** A page with Open Graph tags and its picture, for the preview card. */
async function startPageServer(): Promise<{ server: Server; url: string }> {
  const picture = await jpeg(640, 360);
  const server = createServer((req, res) => {
    if (req.url === '/picture.jpg') {
      res.writeHead(200, { 'Content-Type': 'image/jpeg', 'Content-Length': picture.length }).end(picture);
      return;
    }
    if (req.url === '/article') {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(
        `<!doctype html><html><head><title>Plain</title>
        <meta property="og:title" content="Harbour lights tonight">
        <meta property="og:description" content="Boats, lanterns and music by the water.">
        <meta property="og:image" content="/picture.jpg"></head><body>Hello</body></html>`,
      );
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** Signs a browser in with a token from the API (language-independent), on the conversation. */
async function signIn(user: UserPage, who: TestUser, sessionid: string): Promise<void> {
  await user.context.addInitScript(
    ([token, profile]) => {
      if (!localStorage.getItem('cookim.token')) {
        localStorage.setItem('cookim.token', JSON.stringify(token));
        localStorage.setItem('cookim.user', JSON.stringify(profile));
      }
    },
    [who.token, who.user] as const,
  );
  await user.page.goto(`/c/${sessionid}`);
  await user.page.getByTestId('message-list').waitFor();
}

/** Messages whose text contains `text`. */
function message(page: Page, text: string): Locator {
  return page.getByTestId('message').filter({ has: page.getByTestId('message-text').filter({ hasText: text }) });
}

/** A finger held on the element for 700 ms (Chromium turns CDP touches into touch pointer events). */
async function longPress(page: Page, target: Locator): Promise<void> {
  await target.scrollIntoViewIfNeeded();
  const box = await target.boundingBox();
  assert.ok(box, 'the element is on screen');
  const point = { x: box.x + Math.min(box.width / 2, 40), y: box.y + box.height / 2 };
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [point] });
  await page.waitForTimeout(700);
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
  await cdp.detach();
}

function chip(page: Page, bubble: Locator, emoji: string): Locator {
  return bubble.locator(`[data-testid="reaction-chip"][data-emoji="${emoji}"]`);
}

async function waitForCount(chipLocator: Locator, count: number): Promise<void> {
  await chipLocator.and(chipLocator.page().locator(`[data-count="${count}"]`)).waitFor();
}

describe('web client: conversation events (menu, replies, reactions, edits, deletes, pins, member lines)', { timeout: 240_000 }, () => {
  let server: RunningServer;
  let browser: Browser;
  let pages: { server: Server; url: string };
  let alice: TestUser;
  let bob: TestUser;
  let bobSocket: TestSocket;
  let sessionid: string;
  let aliceUI: UserPage;
  let bobUI: UserPage;
  const ORIGINAL = 'Where did we first meet?';
  const ASKING = 'Answer the first question, please';

  before(async () => {
    [server, browser, pages] = await Promise.all([startServer({ env: { LINK_PREVIEW_ALLOW_PRIVATE: '1' } }), launchBrowser(), startPageServer()]);
    [alice, bob] = await Promise.all([registerUser(server.url, 'Alice Liddell'), registerUser(server.url, 'Bob Marley')]);
    sessionid = (await createGroup(server.url, alice, 'Harbour club')).sessionid;
    await joinGroup(server.url, bob, sessionid);
    // Bob's question, then more than a page of chat, then a reply to the question: the quote's
    // original is not on the first page either side loads
    bobSocket = await connectSocket(server.url, bob.token);
    const token = await sessionToken(server.url, bob, sessionid);
    const send = (msg: string, extra: Record<string, unknown> = {}) =>
      request<{ msgid: string }>(bobSocket, 'message:send', { sessionToken: token, msgtype: 0, msg, uuid: crypto.randomUUID(), ...extra });
    const original = await send(ORIGINAL);
    for (let i = 1; i <= 24; i++) await send(`filler ${i}`);
    await send(ASKING, { replyTo: original.msgid });

    aliceUI = await openUser(browser, server.url, desktop);
    bobUI = await openUser(browser, server.url, { ...phone, locale: 'zh-CN' });
    await Promise.all([signIn(aliceUI, alice, sessionid), signIn(bobUI, bob, sessionid)]);
    await Promise.all([message(aliceUI.page, ASKING).waitFor(), message(bobUI.page, ASKING).waitFor()]);
  });

  after(async () => {
    bobSocket?.disconnect();
    await browser?.close();
    await server?.stop();
    pages?.server.close();
  });

  /** Alice types and sends by Enter; both sides see it. */
  async function aliceSends(text: string, shownAs = text): Promise<void> {
    await aliceUI.page.getByTestId('composer-input').fill(text);
    await aliceUI.page.getByTestId('composer-input').press('Enter');
    await message(aliceUI.page, shownAs).and(aliceUI.page.locator('[data-status="sent"]')).waitFor();
    await message(bobUI.page, shownAs).waitFor();
  }

  /** Bob types and taps send; both sides see it. */
  async function bobSends(text: string): Promise<void> {
    await bobUI.page.getByTestId('composer-input').fill(text);
    await bobUI.page.getByTestId('send-button').tap();
    await message(bobUI.page, text).and(bobUI.page.locator('[data-status="sent"]')).waitFor();
    await message(aliceUI.page, text).waitFor();
  }

  // ---------- desktop, English: hover toolbar and right click ----------

  test('desktop: the quote of a reply jumps to its original, loading older pages', async () => {
    const { page } = aliceUI;
    const asking = message(page, ASKING);
    const quote = asking.getByTestId('reply-quote');
    assert.match((await quote.textContent()) ?? '', new RegExp(ORIGINAL.replace('?', '\\?')));
    assert.equal(await message(page, ORIGINAL).count(), 0, 'the original is not on the first page');
    await quote.click();
    const original = message(page, ORIGINAL);
    await original.and(page.locator('.highlight')).waitFor();
    assert.ok(await original.isVisible());
    await screenshot(page, 'conversation-events-desktop-jump');
  });

  test('desktop: replying from the hover toolbar shows a quote bar, then the quote in the message', async () => {
    const { page } = aliceUI;
    const asking = message(page, ASKING);
    await asking.scrollIntoViewIfNeeded();
    await asking.hover();
    const reply = asking.getByRole('button', { name: 'Reply', exact: true });
    await reply.click();
    const bar = page.getByTestId('composer-mode');
    await bar.and(page.locator('[data-kind="reply"]')).waitFor();
    assert.match((await bar.textContent()) ?? '', /Replying to Bob Marley/);
    assert.match((await bar.textContent()) ?? '', /Answer the first question/);
    await aliceSends('In the harbour, at the lantern festival');
    await bar.waitFor({ state: 'hidden' });
    const mine = message(page, 'In the harbour');
    assert.match((await mine.getByTestId('reply-quote').textContent()) ?? '', /Bob Marley.*Answer the first question/s);
    await message(bobUI.page, 'In the harbour').getByTestId('reply-quote').waitFor();
  });

  test('desktop: a reaction from the right-click menu; the other side makes it 2', async () => {
    const { page } = aliceUI;
    const asking = message(page, ASKING);
    await asking.getByTestId('message-text').click({ button: 'right' });
    const menu = page.getByTestId('message-menu');
    await menu.and(page.locator('[data-mode="popover"]')).waitFor();
    // the same actions the toolbar leads to, as real buttons
    for (const name of ['Reply', 'Copy text', 'Pin', 'Delete']) await menu.getByRole('button', { name, exact: true }).waitFor();
    assert.equal(await menu.getByRole('button', { name: 'Edit', exact: true }).count(), 0, "Bob's message is not Alice's to edit");
    await screenshot(page, 'conversation-events-desktop-menu');
    await menu.getByRole('button', { name: 'React with 👍' }).click();
    await menu.waitFor({ state: 'hidden' });

    const own = chip(page, asking, '👍');
    await waitForCount(own, 1);
    assert.equal(await own.getAttribute('aria-pressed'), 'true');
    const theirs = chip(bobUI.page, message(bobUI.page, ASKING), '👍');
    await waitForCount(theirs, 1);
    assert.equal(await theirs.getAttribute('aria-pressed'), 'false');
    await theirs.tap();
    await waitForCount(own, 2);
    await waitForCount(theirs, 2);
    assert.equal(await theirs.getAttribute('aria-pressed'), 'true');
    assert.match((await own.getAttribute('title')) ?? '', /You.*Bob Marley|Bob Marley.*You/);
  });

  test('desktop: Esc closes the menu; the toolbar is reachable by keyboard', async () => {
    const { page } = aliceUI;
    const asking = message(page, ASKING);
    await asking.hover();
    await asking.getByRole('button', { name: 'More actions' }).click();
    const menu = page.getByTestId('message-menu');
    await menu.waitFor();
    await page.keyboard.press('Escape');
    await menu.waitFor({ state: 'hidden' });
    // the focus went back to the toolbar's button: Tab-reachable, labelled
    const focused = await page.evaluate(() => document.activeElement?.getAttribute('aria-label'));
    assert.equal(focused, 'More actions');
  });

  test('desktop: Up edits the last own message in place; the other side sees the new text live', async () => {
    const { page } = aliceUI;
    const input = page.getByTestId('composer-input');
    await input.fill('');
    await input.press('ArrowUp');
    await page.getByTestId('composer-mode').and(page.locator('[data-kind="edit"]')).waitFor();
    assert.match((await page.getByTestId('composer-mode').textContent()) ?? '', /Editing/);
    assert.equal(await input.inputValue(), 'In the harbour, at the lantern festival');
    await input.fill('In the harbour, at the lantern festival in May');
    await input.press('Enter');
    const edited = message(page, 'lantern festival in May');
    await edited.getByTestId('message-edited').waitFor();
    assert.equal((await edited.getByTestId('message-edited').textContent())?.trim(), 'edited');
    assert.match((await edited.getByTestId('message-edited').getAttribute('title')) ?? '', /^Edited /);
    assert.equal(await input.inputValue(), '', 'the draft comes back empty');
    const onPhone = message(bobUI.page, 'lantern festival in May');
    await onPhone.getByTestId('message-edited').waitFor();
    assert.equal((await onPhone.getByTestId('message-edited').textContent())?.trim(), '已编辑');
  });

  test('desktop: markdown, a link preview card, a pin in the pinned list', async () => {
    const { page } = aliceUI;
    await aliceSends('**Tonight** at the _pier_, bring `lanterns`', 'Tonight at the pier, bring lanterns');
    const text = message(bobUI.page, 'Tonight at the pier').getByTestId('message-text');
    assert.equal(await text.locator('strong').textContent(), 'Tonight');
    assert.equal(await text.locator('em').textContent(), 'pier');
    assert.equal(await text.locator('code').textContent(), 'lanterns');

    const link = `${pages.url}/article`;
    await aliceSends(`Programme: ${link}`);
    for (const side of [page, bobUI.page]) {
      const card = message(side, 'Programme:').getByTestId('link-preview');
      await card.waitFor({ timeout: 20_000 });
      assert.equal(await card.getByTestId('link-preview-title').textContent(), 'Harbour lights tonight');
      assert.equal(await card.getByTestId('link-preview-description').textContent(), 'Boats, lanterns and music by the water.');
      assert.equal(await card.getAttribute('href'), link);
      await card.getByTestId('link-preview-image').waitFor();
    }

    const programme = message(page, 'Programme:');
    await programme.getByTestId('message-text').click({ button: 'right' });
    await page.getByTestId('message-menu').getByRole('button', { name: 'Pin', exact: true }).click();
    await programme.getByTestId('message-pin-mark').waitFor();
    const pinned = page.getByTestId('pinned-list').getByTestId('pinned-item');
    if (!(await page.getByTestId('info-panel').isVisible())) await page.getByTestId('info-button').click();
    await pinned.filter({ hasText: 'Programme:' }).waitFor();
    await message(bobUI.page, 'Programme:').getByTestId('message-pin-mark').waitFor();
    await screenshot(page, 'conversation-events-desktop');
  });

  test('desktop: deleting leaves a tombstone on both sides', async () => {
    const { page } = aliceUI;
    await aliceSends('This one was a mistake');
    const doomed = message(page, 'This one was a mistake');
    const msgid = await doomed.getAttribute('data-msgid');
    await doomed.getByTestId('message-text').click({ button: 'right' });
    const menu = page.getByTestId('message-menu');
    await menu.getByRole('button', { name: 'Delete', exact: true }).click();
    await menu.getByRole('alertdialog').waitFor();
    await menu.getByTestId('confirm-delete').click();
    const tombstone = page.locator(`[data-testid="message"][data-msgid="${msgid}"]`).getByTestId('message-deleted');
    await tombstone.waitFor();
    assert.equal(await tombstone.textContent(), 'Message deleted');
    const onPhone = bobUI.page.locator(`[data-testid="message"][data-msgid="${msgid}"]`).getByTestId('message-deleted');
    await onPhone.waitFor();
    assert.equal(await onPhone.textContent(), '消息已删除');
    assert.equal(await page.getByText('This one was a mistake').count(), 0);
  });

  test('desktop and phone: a member joining shows a line', async () => {
    const carol = await registerUser(server.url, 'Carol Danvers');
    await joinGroup(server.url, carol, sessionid);
    const line = aliceUI.page.getByTestId('member-line').filter({ hasText: 'Carol Danvers joined' });
    await line.waitFor();
    await bobUI.page.getByTestId('member-line').filter({ hasText: 'Carol Danvers 加入了' }).waitFor();
    // Bob's own join, from the history page, is there too
    await aliceUI.page.getByTestId('member-line').filter({ hasText: 'Bob Marley joined' }).first().waitFor({ state: 'attached' });
    await screenshot(aliceUI.page, 'conversation-events-desktop-join');
  });

  // ---------- phone, Chinese: long press and the bottom sheet ----------

  test('phone: a long press opens the action sheet; reply from it, and the quote jumps', async () => {
    const { page } = bobUI;
    const target = message(page, 'Tonight at the pier');
    await longPress(page, target.getByTestId('message-text'));
    const sheet = page.getByTestId('message-menu');
    await sheet.and(page.locator('[data-mode="sheet"]')).waitFor();
    for (const name of ['回复', '复制文字']) await sheet.getByRole('button', { name, exact: true }).waitFor();
    // a plain member of a group: neither pin nor delete of someone else's message, nor edit
    for (const name of ['置顶', '删除', '编辑']) assert.equal(await sheet.getByRole('button', { name, exact: true }).count(), 0, name);
    assert.equal(await hasHorizontalScroll(page), false);
    await screenshot(page, 'conversation-events-phone-sheet');
    await sheet.getByRole('button', { name: '回复', exact: true }).tap();
    await sheet.waitFor({ state: 'hidden' });
    const bar = page.getByTestId('composer-mode');
    assert.match((await bar.textContent()) ?? '', /回复 Alice Liddell/);
    await bobSends('我会带灯笼来');
    const quote = message(page, '我会带灯笼来').getByTestId('reply-quote');
    assert.match((await quote.textContent()) ?? '', /Tonight at the pier/);
    await message(aliceUI.page, '我会带灯笼来').getByTestId('reply-quote').waitFor();
    await quote.tap();
    await target.and(page.locator('.highlight')).waitFor();
  });

  test('phone: react from the sheet; the other side makes it 2; a long press on the chip says who', async () => {
    const { page } = bobUI;
    const target = message(page, 'Tonight at the pier');
    await longPress(page, target.getByTestId('message-text'));
    const sheet = page.getByTestId('message-menu');
    await sheet.getByRole('button', { name: '用 ❤️ 回应' }).tap();
    await sheet.waitFor({ state: 'hidden' });
    const own = chip(page, target, '❤️');
    await waitForCount(own, 1);
    assert.equal(await own.getAttribute('aria-pressed'), 'true');
    const onDesktop = chip(aliceUI.page, message(aliceUI.page, 'Tonight at the pier'), '❤️');
    await waitForCount(onDesktop, 1);
    assert.equal(await onDesktop.getAttribute('aria-pressed'), 'false');
    await onDesktop.click();
    await waitForCount(own, 2);
    await longPress(page, own);
    const who = target.getByTestId('reaction-who');
    await who.waitFor();
    assert.match((await who.textContent()) ?? '', /你/);
    assert.match((await who.textContent()) ?? '', /Alice Liddell/);
    await screenshot(page, 'conversation-events-phone-reactions');
  });

  test('phone: edit and delete one’s own message from the sheet', async () => {
    const { page } = bobUI;
    await bobSends('明天见');
    await longPress(page, message(page, '明天见').getByTestId('message-text'));
    const sheet = page.getByTestId('message-menu');
    await sheet.getByRole('button', { name: '编辑', exact: true }).tap();
    const input = page.getByTestId('composer-input');
    assert.equal(await input.inputValue(), '明天见');
    assert.match((await page.getByTestId('composer-mode').textContent()) ?? '', /正在编辑/);
    await input.fill('明天晚上见');
    await page.getByTestId('send-button').tap();
    await message(page, '明天晚上见').getByTestId('message-edited').waitFor();
    const onDesktop = message(aliceUI.page, '明天晚上见');
    await onDesktop.getByTestId('message-edited').waitFor();
    assert.equal((await onDesktop.getByTestId('message-edited').textContent())?.trim(), 'edited');

    const msgid = await message(page, '明天晚上见').getAttribute('data-msgid');
    await longPress(page, message(page, '明天晚上见').getByTestId('message-text'));
    await sheet.getByRole('button', { name: '删除', exact: true }).tap();
    await sheet.getByTestId('confirm-delete').tap();
    const mine = page.locator(`[data-testid="message"][data-msgid="${msgid}"]`).getByTestId('message-deleted');
    await mine.waitFor();
    assert.equal(await mine.textContent(), '消息已删除');
    await aliceUI.page.locator(`[data-testid="message"][data-msgid="${msgid}"]`).getByTestId('message-deleted').filter({ hasText: 'Message deleted' }).waitFor();
  });

  test('phone: the pinned list in the details jumps to the message; markdown, preview card and join line in Chinese', async () => {
    const { page } = bobUI;
    await page.getByTestId('info-button').tap();
    const item = page.getByTestId('pinned-list').getByTestId('pinned-item').filter({ hasText: 'Programme:' });
    await item.waitFor();
    assert.match((await page.getByTestId('pinned-list').textContent()) ?? '', /置顶消息/);
    await screenshot(page, 'conversation-events-phone-pinned');
    await item.tap();
    // the details covered the chat: they close, and the message is shown lit up
    await page.getByTestId('info-panel').waitFor({ state: 'hidden' });
    const programme = message(page, 'Programme:');
    await programme.and(page.locator('.highlight')).waitFor();
    await programme.getByTestId('link-preview').waitFor();
    assert.equal(await hasHorizontalScroll(page), false);
    await screenshot(page, 'conversation-events-phone');
    assert.deepEqual([...aliceUI.pageErrors, ...bobUI.pageErrors], []);
  });
});
