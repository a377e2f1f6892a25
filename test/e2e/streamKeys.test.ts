/**
 * Stream keys in the profile (S27): a key is made, shown once with the WHIP URL, listed by its
 * title, and revoked; on a phone in Chinese the section reads in Chinese without sideways scrolling.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { desktop, openUser, phone, screenshot, useServerAndBrowser } from '../support/browser';
import type { RunningServer } from '../support/server';
import { hasHorizontalScroll, newAccount, register } from '../support/userSteps';

describe('web client: stream keys', () => {
  let server: RunningServer;
  let browser: Browser;

  useServerAndBrowser((s, b) => {
    server = s;
    browser = b;
  });

  test('desktop, English: make a key, see it once with the WHIP URL, revoke it', async () => {
    const { page, context, pageErrors } = await openUser(browser, server.url, desktop);
    try {
      await register(page, newAccount('Streamer'));
      await page.goto('/profile');
      const section = page.getByTestId('stream-keys');
      await section.getByRole('heading', { name: 'Stream keys' }).waitFor();
      await section.getByText('No stream keys yet.').waitFor();
      await section.getByLabel('Stream title').fill('Evening show');
      await section.getByRole('button', { name: 'Make a stream key' }).click();
      const fresh = page.getByTestId('stream-key-fresh');
      await fresh.waitFor();
      assert.match(await fresh.getByLabel('Stream key').inputValue(), /^live_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
      assert.equal(await fresh.getByLabel('Server (WHIP URL)').inputValue(), `${server.url}/api/live/whip`);
      await section.getByText('Evening show').waitFor();
      await screenshot(page, 'stream-keys-desktop');
      await section.getByRole('button', { name: 'Revoke the stream key “Evening show”' }).click();
      await section.getByText('No stream keys yet.').waitFor();
      assert.equal(await fresh.count(), 0);
      assert.deepEqual(pageErrors, []);
    } finally {
      await context.close();
    }
  });

  test('phone, Chinese: the section in Chinese, no sideways scrolling', async () => {
    const { page, context, pageErrors } = await openUser(browser, server.url, phone);
    try {
      await register(page, newAccount('Phone'));
      await page.goto('/profile');
      await page.getByTestId('language-select').selectOption('zh-CN');
      const section = page.getByTestId('stream-keys');
      await section.getByRole('heading', { name: '推流密钥' }).waitFor();
      await section.getByLabel('直播标题').fill('晚间直播');
      await section.getByRole('button', { name: '生成推流密钥' }).click();
      await page.getByTestId('stream-key-fresh').getByText('请立即复制此密钥：它只显示这一次。').waitFor();
      await section.getByText('晚间直播').waitFor();
      await page.getByTestId('stream-keys').scrollIntoViewIfNeeded();
      assert.equal(await hasHorizontalScroll(page), false);
      await screenshot(page, 'stream-keys-phone-zh');
      assert.deepEqual(pageErrors, []);
    } finally {
      await context.close();
    }
  });
});
