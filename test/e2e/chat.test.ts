/**
 * Two people in two browser contexts use the web client against the real server: register, create
 * and join a group, chat both ways, reload, get messages sent while away, see presence changes,
 * emoji as Twemoji images, hostile text shown as text, and the sync after a dropped connection.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, WebSocketRoute } from 'playwright-core';
import { launchBrowser, openUser, screenshot, type UserPage } from '../support/browser';
import { connectSocket, createGroup as createGroupByApi, registerUser, sendText, sessionToken } from '../support/client';
import { startServer, type RunningServer } from '../support/server';
import {
  composer,
  createGroup,
  joinPublicGroup,
  login,
  messages,
  newAccount,
  openConversation,
  register,
  sendMessage,
  unlabelledInputs,
  waitForMessage,
} from '../support/userSteps';

describe('web client: two users chatting', () => {
  let server: RunningServer;
  let browser: Browser;
  let alice: UserPage;
  let bob: UserPage;
  const aliceAccount = newAccount('Alice');
  const bobAccount = newAccount('Bob');
  const groupName = `Hikers ${Date.now().toString(36)}`;
  // Alice's websocket, routed through the test so it can be cut and restored
  let aliceOffline = false;
  // While set, the server's acknowledgements (Socket.IO ACK frames, "43…") and pushed messages never
  // reach Alice: her send reaches the server, but she cannot tell.
  let dropAliceAcks = false;
  const aliceSockets: WebSocketRoute[] = [];

  before(async () => {
    [server, browser] = await Promise.all([startServer(), launchBrowser()]);
    alice = await openUser(browser, server.url);
    bob = await openUser(browser, server.url);
    await alice.page.routeWebSocket(/\/socket\.io\//, (ws) => {
      if (aliceOffline) {
        void ws.close({ code: 1001, reason: 'test: offline' });
        return;
      }
      aliceSockets.push(ws);
      const toServer = ws.connectToServer();
      toServer.onMessage((frame) => {
        if (dropAliceAcks && typeof frame === 'string' && (frame.startsWith('43') || frame.startsWith('42["message"'))) return;
        ws.send(frame);
      });
    });
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('the document has a title, a manifest and labelled inputs', async () => {
    const { page } = alice;
    await page.goto('/login');
    assert.match(await page.title(), /CookIM/);
    const manifestHref = await page.locator('link[rel="manifest"]').getAttribute('href');
    assert.ok(manifestHref, 'manifest link');
    const manifest = (await (await page.request.get(manifestHref)).json()) as { name: string; display: string; icons: unknown[] };
    assert.equal(manifest.name, 'CookIM');
    assert.equal(manifest.display, 'standalone');
    assert.ok(manifest.icons.length > 0);
    assert.deepEqual(await unlabelledInputs(page), []);
    await screenshot(page, 'desktop-login');
    await page.goto('/register');
    assert.deepEqual(await unlabelledInputs(page), []);
  });

  test('both register; Alice creates a public group, Bob finds and joins it', async () => {
    await register(alice.page, aliceAccount);
    await register(bob.page, bobAccount);
    await createGroup(alice.page, groupName);
    await joinPublicGroup(bob.page, groupName);
  });

  test('they chat both ways and each sees the other’s name and the send time', async () => {
    await sendMessage(alice.page, 'Hi Bob, welcome to the group!');
    const atBob = await waitForMessage(bob.page, 'Hi Bob, welcome to the group!');
    await assert.doesNotReject(atBob.getByTestId('message-sender').filter({ hasText: aliceAccount.nickname }).waitFor());
    assert.match((await atBob.getByTestId('message-time').textContent()) ?? '', /\d{1,2}:\d{2}/);

    await sendMessage(bob.page, 'Thanks Alice, glad to be here.');
    const atAlice = await waitForMessage(alice.page, 'Thanks Alice, glad to be here.');
    await atAlice.getByTestId('message-sender').filter({ hasText: bobAccount.nickname }).waitFor();
    assert.match((await atAlice.getByTestId('message-time').textContent()) ?? '', /\d{1,2}:\d{2}/);

    // typing shows on the other side while the text is being written
    await bob.page.getByRole('textbox', { name: 'Message' }).pressSequentially('Typing a', { delay: 20 });
    await alice.page.getByTestId('typing-indicator').filter({ hasText: `${bobAccount.nickname} is typing` }).waitFor();
    await bob.page.getByRole('textbox', { name: 'Message' }).fill('');

    // every input on the chat screen, the emoji picker included, has a label
    await alice.page.getByRole('button', { name: 'Emoji' }).click();
    await alice.page.getByTestId('emoji-picker').waitFor();
    assert.deepEqual(await unlabelledInputs(alice.page), []);
    await screenshot(alice.page, 'desktop-chat-emoji-picker');
    await alice.page.keyboard.press('Escape');
    await screenshot(alice.page, 'desktop-chat');
    await screenshot(bob.page, 'desktop-chat-bob');
  });

  test('emoji shortcodes render as Twemoji images, and picked emoji too', async () => {
    await alice.page.getByRole('textbox', { name: 'Message' }).fill('Good morning :smile:');
    await alice.page.getByRole('textbox', { name: 'Message' }).press('Enter');
    for (const { page } of [alice, bob]) {
      const image = page.getByTestId('message-text').locator('img.emoji[alt="😄"]').first();
      await image.waitFor();
      assert.match((await image.getAttribute('src')) ?? '', /\/assets\/twemoji-[^/]+\/1f604\.svg$/);
      assert.ok(await image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0), 'emoji image loaded');
    }
    // choose one from the picker by search
    await bob.page.getByRole('button', { name: 'Emoji' }).click();
    await bob.page.getByLabel('Search emoji').fill('thumbs up');
    await bob.page.getByRole('option', { name: 'thumbs up' }).click();
    await bob.page.getByRole('button', { name: 'Send' }).click();
    await alice.page.getByTestId('message-text').locator('img.emoji[alt="👍"]').first().waitFor();
  });

  test('hostile text is shown as text and runs nothing', async () => {
    const hostile = '<img src=x onerror=alert(1)>';
    await sendMessage(bob.page, hostile);
    const atAlice = await waitForMessage(alice.page, hostile);
    assert.equal(await atAlice.getByTestId('message-text').textContent(), hostile);
    assert.equal(await alice.page.locator('img[src="x"]').count(), 0);
    assert.deepEqual(alice.dialogs, []);
    assert.deepEqual(bob.dialogs, []);
    // links become safe anchors
    await sendMessage(bob.page, 'see https://example.org/page and javascript:alert(2)');
    const link = alice.page.getByTestId('message-list').getByRole('link', { name: 'https://example.org/page', exact: true });
    await link.waitFor();
    assert.equal(await link.getAttribute('rel'), 'noopener noreferrer');
    assert.equal(await link.getAttribute('target'), '_blank');
    assert.equal(await alice.page.locator('a[href^="javascript:"]').count(), 0);
  });

  test('a reload keeps the history', async () => {
    await bob.page.reload();
    await waitForMessage(bob.page, 'Hi Bob, welcome to the group!');
    await waitForMessage(bob.page, 'Thanks Alice, glad to be here.');
    assert.equal(await messages(bob.page, 'Thanks Alice, glad to be here.').count(), 1);
  });

  test('a busy status shows on the other side', async () => {
    // Alice's wide screen shows the member panel next to the chat
    const bobRow = alice.page.getByTestId('member-list').locator('li', { hasText: bobAccount.nickname });
    await bobRow.waitFor();
    assert.equal(await bobRow.getAttribute('data-presence'), 'online');
    await bob.page.getByTestId('status-trigger').first().click();
    await bob.page.getByRole('menuitemradio', { name: /Busy/ }).click();
    await alice.page.waitForFunction(
      (nickname) =>
        [...document.querySelectorAll('[data-testid="member-list"] li')].some(
          (li) => li.textContent?.includes(nickname) && li.getAttribute('data-presence') === 'busy',
        ),
      bobAccount.nickname,
    );
    await bobRow.getByText('Busy').waitFor();
    await screenshot(alice.page, 'desktop-chat-members');
  });

  test('messages sent while Bob is away arrive when he signs back in', async () => {
    await bob.context.close();
    await alice.page.getByTestId('member-list').locator('li[data-presence="offline"]', { hasText: bobAccount.nickname }).waitFor();
    await sendMessage(alice.page, 'Bob, are you there?');
    await sendMessage(alice.page, 'Call me when you are back.');

    bob = await openUser(browser, server.url);
    await login(bob.page, bobAccount);
    const item = bob.page.getByRole('link', { name: new RegExp(groupName) });
    await item.getByTestId('unread-badge').waitFor();
    await screenshot(bob.page, 'desktop-list-unread');
    await openConversation(bob.page, groupName);
    await waitForMessage(bob.page, 'Bob, are you there?');
    await waitForMessage(bob.page, 'Call me when you are back.');
    await item.getByTestId('unread-badge').waitFor({ state: 'detached' });
  });

  test('after a dropped connection the banner shows, and missed messages sync in once', async () => {
    aliceOffline = true;
    for (const ws of aliceSockets.splice(0)) await ws.close({ code: 1006, reason: 'test: network lost' });
    await alice.page.getByTestId('connection-banner').waitFor();
    await screenshot(alice.page, 'desktop-disconnected');

    await sendMessage(bob.page, 'Sent while your connection was down (1)');
    await sendMessage(bob.page, 'Sent while your connection was down (2)');
    assert.equal(await messages(alice.page, 'Sent while your connection was down (1)').count(), 0);

    aliceOffline = false;
    await alice.page.getByTestId('connection-banner').waitFor({ state: 'detached', timeout: 45_000 });
    await waitForMessage(alice.page, 'Sent while your connection was down (1)');
    await waitForMessage(alice.page, 'Sent while your connection was down (2)');
    assert.equal(await messages(alice.page, 'Sent while your connection was down (1)').count(), 1);
    assert.equal(await messages(alice.page, 'Sent while your connection was down (2)').count(), 1);
    // and the connection is live again
    await sendMessage(bob.page, 'And this one live.');
    await waitForMessage(alice.page, 'And this one live.');
    assert.deepEqual([...alice.pageErrors, ...bob.pageErrors], []);
  });

  test('a send whose acknowledgement is lost stays queued and goes out again by itself, stored once', async () => {
    const text = `Lost ack ${Date.now().toString(36)}`;
    dropAliceAcks = true;
    await composer(alice.page).fill(text);
    await composer(alice.page).press('Enter');
    const mine = messages(alice.page, text);
    // The server stored and broadcast it, but Alice never hears the ack (nor the pushed copy).
    await waitForMessage(bob.page, text);
    await mine.waitFor();
    dropAliceAcks = false;
    // No answer is not a refusal: it stays "sending" with nothing to tap, and after the send
    // timeout the outbox sends it again with the same uuid; the server answers with the stored one.
    assert.equal(await mine.getAttribute('data-status'), 'sending');
    assert.equal(await mine.getByTestId('retry').count(), 0);
    await mine.and(alice.page.locator('[data-status="sent"]')).waitFor({ timeout: 40_000 });
    assert.equal(await messages(alice.page, text).count(), 1);
    await bob.page.reload();
    await waitForMessage(bob.page, text);
    assert.equal(await messages(bob.page, text).count(), 1);
  });

  test('older history loads page by page when scrolling up, keeping the reading position', async () => {
    // a bot fills a public group with 45 messages through the API, then Alice joins it
    const bot = await registerUser(server.url, 'History Bot');
    const historyGroup = `History ${Date.now().toString(36)}`;
    const group = await createGroupByApi(server.url, bot, historyGroup);
    const socket = await connectSocket(server.url, bot.token);
    try {
      const token = await sessionToken(server.url, bot, group.sessionid);
      for (let i = 1; i <= 45; i++) await sendText(socket, token, `History message ${i}`);
    } finally {
      socket.close();
    }
    const { page } = alice;
    await joinPublicGroup(page, historyGroup);
    await waitForMessage(page, 'History message 45');
    const list = page.getByTestId('message-list');
    const loaded = () => page.getByTestId('message').count();
    assert.ok((await loaded()) < 45, 'only the newest pages at first');

    const firstSeq = Number(await page.getByTestId('message').first().getAttribute('data-seq'));
    const anchor = page.locator(`[data-testid="message"][data-seq="${firstSeq}"]`);
    // scroll to the top and measure in the same task, before the older page can arrive
    const before = await list.evaluate((el, seq) => {
      el.scrollTop = 0;
      return el.querySelector(`[data-seq="${seq}"]`)!.getBoundingClientRect().top;
    }, firstSeq);
    await page.locator(`[data-testid="message"][data-seq="${firstSeq - 1}"]`).waitFor({ state: 'attached' });
    // the message that was on screen stays where it was while the older page is added above it
    const after = (await anchor.boundingBox())!.y;
    assert.ok(Math.abs(after - before) < 40, `reading position kept (moved ${after - before} px)`);

    for (let round = 0; round < 5 && (await messages(page, 'History message 1').count()) === 0; round++) {
      const count = await loaded();
      await list.evaluate((el) => (el.scrollTop = 0));
      await page.waitForFunction((n) => document.querySelectorAll('[data-testid="message"]').length > n, count);
    }
    await waitForMessage(page, 'History message 1');
    await page.getByText('This is the beginning of the conversation.').waitFor();
    assert.equal(await loaded(), 45);
  });
});
