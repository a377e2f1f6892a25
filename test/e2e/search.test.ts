/**
 * Message search in the web client: Ctrl+K opens it, a Chinese word finds a message inside a
 * sentence with the match marked, and a click opens the conversation with that message shown,
 * although it was far older than the first page of history.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchBrowser, openUser, phone, screenshot, type UserPage } from '../support/browser';
import { connectSocket, http, registerUser, sendText, sessionToken, type TestSocket } from '../support/client';
import { startServer, type RunningServer } from '../support/server';
import { createGroup, hasHorizontalScroll, newAccount, register } from '../support/userSteps';

describe('web client: message search', () => {
  let server: RunningServer;
  let browser: Browser;
  let alice: UserPage;
  let bobSocket: TestSocket | undefined;

  before(async () => {
    [server, browser] = await Promise.all([startServer({ env: { MESSAGE_RATE: '200' } }), launchBrowser()]);
    alice = await openUser(browser, server.url);
  });
  after(async () => {
    bobSocket?.close();
    await browser?.close();
    await server?.stop();
  });

  test('search, click, the message is shown', async () => {
    const { page } = alice;
    await register(page, newAccount('Alice'));
    const sessionid = await createGroup(page, `Travel ${Date.now().toString(36)}`);
    const bob = await registerUser(server.url, 'Bob');
    assert.equal((await http(server.url, 'POST', `/api/sessions/${sessionid}/join`, { token: bob.token })).status, 200);
    bobSocket = await connectSocket(server.url, bob.token);
    const token = await sessionToken(server.url, bob, sessionid);
    const target = await sendText(bobSocket, token, '我家在上海东边');
    for (let i = 0; i < 60; i++) await sendText(bobSocket, token, `filler ${i}`);
    await page.getByTestId('message-text').filter({ hasText: 'filler 59' }).waitFor();
    await page.goto('/');
    await page.getByRole('heading', { name: 'Chats' }).waitFor();

    await page.keyboard.press('Control+k');
    await page.getByTestId('message-search-input').fill('上海');
    const result = page.getByTestId('search-result').filter({ hasText: '我家在上海东边' });
    await result.waitFor();
    assert.equal(await result.locator('mark').first().textContent(), '上海');
    assert.equal(await page.getByTestId('search-result').count(), 1);
    await screenshot(page, 'search-results');

    await result.click();
    const shown = page.locator(`[data-testid="message"][data-msgid="${target.msgid}"]`);
    await shown.waitFor({ timeout: 20_000 });
    await page.waitForFunction(
      (msgid) => {
        const el = document.querySelector(`[data-testid="message"][data-msgid="${msgid}"]`);
        if (!el) return false;
        const box = el.getBoundingClientRect();
        return box.top >= 0 && box.bottom <= window.innerHeight;
      },
      target.msgid,
      { timeout: 10_000 },
    );
    assert.match(page.url(), new RegExp(`/c/${sessionid}`));
    await screenshot(page, 'search-jump');
    assert.deepEqual(alice.pageErrors, []);
  });

  test('on a phone: opened from the sidebar, full screen, no sideways scrolling', async () => {
    const user = await openUser(browser, server.url, phone);
    try {
      await register(user.page, newAccount('Carol'));
      await user.page.getByTestId('message-search-open').click();
      await user.page.getByTestId('message-search-input').fill('nothing here');
      await user.page.getByText('No messages found for “nothing here”.').waitFor();
      assert.equal(await hasHorizontalScroll(user.page), false);
      await screenshot(user.page, 'search-phone');
      await user.page.keyboard.press('Escape');
      await user.page.getByTestId('message-search').waitFor({ state: 'detached' });
      assert.deepEqual(user.pageErrors, []);
    } finally {
      await user.context.close();
    }
  });
});
