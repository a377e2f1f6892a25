/**
 * The web client speaks the browser's language (issue 14, point 4): Chromium with a zh-CN locale
 * gets the Chinese sign-in and registration pages (no English word left on them), `<html
 * lang="zh-CN">`, and after registering Chinese chrome around the chats; the profile switches
 * to English and the choice outlasts a reload. An en browser gets English.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { desktop, launchBrowser, openUser, screenshot } from '../support/browser';
import { startServer, type RunningServer } from '../support/server';
import { newAccount } from '../support/userSteps';

/** Latin words on the page that are not the product's name or the user's own data. */
async function englishWords(page: Page, allowed: string[]): Promise<string[]> {
  const text = await page.locator('body').innerText();
  const words = text.match(/[A-Za-z]{2,}/g) ?? [];
  return words.filter((word) => !allowed.some((a) => a.toLowerCase() === word.toLowerCase()));
}

describe('web client in Chinese and English', () => {
  let server: RunningServer;
  let browser: Browser;

  before(async () => {
    [server, browser] = await Promise.all([startServer(), launchBrowser()]);
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('a zh-CN browser gets the Chinese interface, and the profile switches it to English', { timeout: 90_000 }, async () => {
    const { page, context } = await openUser(browser, server.url, { ...desktop, locale: 'zh-CN' });
    try {
      await page.goto('/login');
      await page.getByRole('heading', { name: '欢迎使用 CookIM' }).waitFor();
      assert.equal(await page.locator('html').getAttribute('lang'), 'zh-CN');
      await page.getByRole('button', { name: '登录' }).waitFor();
      assert.deepEqual(await englishWords(page, ['CookIM']), [], 'no English on the sign-in page');
      await screenshot(page, 'i18n-zh-CN-login');

      const account = newAccount('Mei');
      await page.getByRole('link', { name: '注册新账号' }).click();
      await page.getByRole('heading', { name: '注册账号' }).waitFor();
      assert.deepEqual(await englishWords(page, ['CookIM']), [], 'no English on the registration page');
      // the form's own check, in Chinese
      await page.getByLabel('邮箱').fill(account.email);
      await page.getByLabel('昵称').fill(account.nickname);
      await page.getByLabel('密码', { exact: true }).fill('short');
      await page.getByRole('button', { name: '注册' }).click();
      await page.getByRole('alert').filter({ hasText: '密码至少需要' }).waitFor();
      await page.getByLabel('密码', { exact: true }).fill(account.password);
      await page.getByRole('button', { name: '注册' }).click();

      // Chinese chrome around the chats
      await page.getByRole('heading', { name: '聊天' }).waitFor();
      await page.getByRole('navigation', { name: '会话列表' }).getByText('还没有会话。').waitFor();
      assert.equal(await page.getByLabel('搜索会话').getAttribute('placeholder'), '搜索');
      await page.getByRole('group', { name: '显示' }).getByRole('button', { name: '全部' }).waitFor();
      await page.getByRole('button', { name: '新建会话' }).click();
      await page.getByRole('menuitem', { name: /创建群聊/ }).click();
      const group = `徒步 ${Date.now().toString(36)}`;
      await page.getByLabel('群聊名称').fill(group);
      await page.getByRole('button', { name: '创建群聊' }).click();
      await page.getByTestId('chat-title').filter({ hasText: group }).waitFor();
      await page.getByRole('button', { name: '发起语音通话' }).waitFor();
      const input = page.getByTestId('composer-input');
      assert.equal(await input.getAttribute('placeholder'), '输入消息…');
      await input.fill('你好');
      await page.getByRole('button', { name: '发送', exact: true }).click();
      await page.locator('[data-testid="message"][data-status="sent"]').filter({ hasText: '你好' }).waitFor();
      await page.getByRole('separator', { name: '今天' }).waitFor();
      // wide screens open the details beside the chat
      await page.getByRole('complementary', { name: '会话详情' }).getByRole('heading', { name: '群聊信息' }).waitFor();
      await screenshot(page, 'i18n-zh-CN-chat');

      // the profile's language choice: English, kept after a reload
      await page.goto('/profile');
      await page.getByLabel('语言').selectOption('en');
      await page.getByRole('button', { name: 'Sign out' }).waitFor();
      assert.equal(await page.locator('html').getAttribute('lang'), 'en');
      await page.reload();
      await page.getByRole('button', { name: 'Save profile' }).waitFor();
      assert.equal(await page.locator('html').getAttribute('lang'), 'en');
    } finally {
      await context.close();
    }
  });

  test('an English browser gets English', { timeout: 60_000 }, async () => {
    const { page, context } = await openUser(browser, server.url, { ...desktop, locale: 'en-GB' });
    try {
      await page.goto('/login');
      await page.getByRole('heading', { name: 'Welcome back' }).waitFor();
      assert.equal(await page.locator('html').getAttribute('lang'), 'en');
      const account = newAccount('Ann');
      await page.getByRole('link', { name: 'Create an account' }).click();
      await page.getByLabel('Email').fill(account.email);
      await page.getByLabel('Nickname').fill(account.nickname);
      await page.getByLabel('Password', { exact: true }).fill(account.password);
      await page.getByRole('button', { name: 'Create account' }).click();
      await page.getByRole('heading', { name: 'Chats' }).waitFor();
      await page.getByRole('navigation', { name: 'Conversation list' }).getByText('No conversations yet.').waitFor();
      await screenshot(page, 'i18n-en-home');
    } finally {
      await context.close();
    }
  });
});
