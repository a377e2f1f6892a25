/**
 * The web client speaks the browser's language (issue 14, point 4): Chromium with a zh-CN locale
 * gets the Chinese sign-in and registration pages (no English word left on them), `<html
 * lang="zh-CN">`, and after registering Chinese chrome around the chats; the profile switches
 * to English and the choice outlasts a reload. An en browser gets English. In Chinese, a chat with
 * a message, a group call (its ring, banner and ended screen) and the profile say nothing in
 * English but names and what people wrote; switching to English re-says all of it at once,
 * without a reload (texts kept by the stores included). Every page of the app (sign-in,
 * registration, the chat list, a private chat, a group with its details, new group, discover,
 * profile, the live directory, go-live, a live viewer page, an incoming call and the call screen)
 * is walked in zh-CN and in en: no English left in Chinese, no Chinese left in English, and no
 * catalogue key shown instead of its text.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { desktop, openUser, screenshot, useServerAndBrowser } from '../support/browser';
import { startBrowserCallServer } from '../support/calls';
import { connectSocket, joinGroup, registerUser, request, type TestSocket, type TestUser } from '../support/client';
import { LivePeer, startPublicStream } from '../support/live';
import { closeAll } from '../support/media';
import { tourEveryPage } from '../support/pageTour';
import type { RunningServer } from '../support/server';
import { newAccount, type Account } from '../support/userSteps';

/** Names of tools and protocols that Chinese interfaces keep in Latin letters (the stream-key section names them). */
const TECHNICAL_NAMES = ['OBS', 'WHIP', 'Bearer'];

/** Latin words on the page that are not the product's name, a technical name, a URL or the user's own data. */
async function englishWords(page: Page, allowed: string[]): Promise<string[]> {
  const text = (await page.locator('body').innerText()).replace(/https?:\/\/\S+/g, ' ');
  const words = text.match(/[A-Za-z]{2,}/g) ?? [];
  return words.filter((word) => ![...allowed, ...TECHNICAL_NAMES].some((a) => a.toLowerCase() === word.toLowerCase()));
}

/** Chinese characters on the page that are not in the allowed texts (names, what people wrote). */
async function chineseText(page: Page, allowed: string[]): Promise<string[]> {
  let text = await page.locator('body').innerText();
  for (const a of allowed) text = text.split(a).join(' ');
  return text.match(/[\u3400-\u9fff\uff01-\uff5e\u3000-\u303f]+/g) ?? [];
}

/** Catalogue keys shown instead of their text ("live.watch"), once the allowed texts are taken out. */
async function keysShown(page: Page, allowed: string[]): Promise<string[]> {
  let text = await page.locator('body').innerText();
  for (const a of allowed) text = text.split(a).join(' ');
  return text.match(/(?<![\w@.])[a-z][A-Za-z]+(?:\.[a-z][A-Za-z]+)+(?![\w@])/g) ?? [];
}

/** The Latin words of an account's own data (email, nickname, and its initials on avatars), which may show in any language. */
function wordsOf(...texts: string[]): string[] {
  const initials = texts.map((text) => text.split(/\s+/).slice(0, 2).map((word) => word[0] ?? '').join('').toUpperCase());
  return [...texts, ...initials].flatMap((text) => text.match(/[A-Za-z]{2,}/g) ?? []);
}

/** Registers through the Chinese form. */
async function registerInChinese(page: Page, account: Account): Promise<void> {
  await page.goto('/register');
  await page.getByLabel('邮箱').fill(account.email);
  await page.getByLabel('昵称').fill(account.nickname);
  await page.getByLabel('密码', { exact: true }).fill(account.password);
  await page.getByRole('button', { name: '注册' }).click();
  await page.getByRole('heading', { name: '聊天' }).waitFor();
}

describe('web client in Chinese and English', () => {
  let server: RunningServer;
  let browser: Browser;

  useServerAndBrowser((s, b) => {
    server = s;
    browser = b;
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
      // the problem is shown next to its field
      await page.getByTestId('field-error').filter({ hasText: '密码至少需要' }).waitFor();
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
      // a first visit: welcomed, not welcomed back
      await page.getByRole('heading', { name: 'Welcome to CookIM' }).waitFor();
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

describe('the Chinese interface around a chat, a call and the profile, switched at runtime', () => {
  let server: RunningServer;
  let browser: Browser;
  let socket: TestSocket | undefined;

  after(() => socket?.disconnect());
  useServerAndBrowser((s, b) => {
    [server, browser] = [s, b];
  }, startBrowserCallServer);

  test('no English in zh-CN; English everywhere right after the switch', { timeout: 120_000 }, async () => {
    const { page, context } = await openUser(browser, server.url, { ...desktop, locale: 'zh-CN' });
    context.setDefaultTimeout(20_000);
    try {
      const account = newAccount('Mei');
      const group = `徒步群 ${Date.now().toString(36)}`;
      const mine = wordsOf(account.email, account.nickname, group);
      // names (and the group's initial on its avatar), which show as they are in any language
      const names = [account.nickname, group, '李雷', group[0]!];
      await registerInChinese(page, account);

      // a group with a message in it, and someone else (李雷, a socket client) who joins
      await page.getByRole('button', { name: '新建会话' }).click();
      await page.getByRole('menuitem', { name: /创建群聊/ }).click();
      await page.getByLabel('群聊名称').fill(group);
      await page.getByRole('button', { name: '创建群聊' }).click();
      await page.getByTestId('chat-title').filter({ hasText: group }).waitFor();
      const sessionid = new URL(page.url()).pathname.split('/').pop()!;
      const lei = await registerUser(server.url, '李雷');
      await joinGroup(server.url, lei, sessionid);
      await page.getByTestId('composer-input').fill('你好');
      await page.getByRole('button', { name: '发送', exact: true }).click();
      await page.locator('[data-testid="message"][data-status="sent"]').filter({ hasText: '你好' }).waitFor();
      await page.getByText(/2 位成员/).first().waitFor();
      assert.deepEqual(await englishWords(page, ['CookIM', ...mine]), [], 'no English in the chat');

      // 李雷 starts a voice call: it rings here, is ignored, and shows as a banner in the chat
      socket = await connectSocket(server.url, lei.token);
      const { call } = await request<{ call: { callid: string } }>(socket, 'call:start', { sessionid, kind: 'voice' });
      await request(socket, 'call:join', { callid: call.callid });
      const ring = page.getByTestId('incoming-call');
      await ring.waitFor();
      assert.deepEqual(await englishWords(page, ['CookIM', ...mine]), [], 'no English on the incoming call');
      await ring.getByRole('button', { name: '忽略' }).click();
      const banner = page.getByTestId('call-banner');
      await banner.filter({ hasText: '李雷 正在通话中' }).waitFor();
      assert.deepEqual(await englishWords(page, ['CookIM', ...mine]), [], 'no English with the call banner');
      await screenshot(page, 'i18n-zh-CN-call-banner');

      // the profile, reached in the app (no reload): a saved note
      await page.getByRole('link', { name: '个人资料和设置' }).click();
      await page.getByRole('heading', { name: '个人资料' }).waitFor();
      await page.getByRole('button', { name: '保存资料' }).click();
      await page.getByText('资料已保存。').waitFor();
      // "English" is the language's own name in the language menu
      assert.deepEqual(await englishWords(page, ['CookIM', 'English', ...mine]), [], 'no English on the profile');
      await screenshot(page, 'i18n-zh-CN-profile');

      // back in the chat, join the call, and forward to the profile under the call screen, where
      // the profile is saved again (its note is kept to be said in the language of the moment)
      await page.goBack();
      await banner.getByRole('button', { name: '加入' }).click();
      await page.getByTestId('call-view').waitFor();
      await page.goForward();
      await page.locator('#profile-language').waitFor();
      await page.locator('form:has(#profile-nickname)').evaluate((form: HTMLFormElement) => form.requestSubmit());
      await page.getByText('资料已保存。').waitFor();
      await page.getByRole('button', { name: '挂断' }).click();
      const ended = page.getByTestId('call-ended');
      await ended.filter({ hasText: '通话已结束' }).waitFor();
      assert.deepEqual(await englishWords(page, ['CookIM', 'English', ...mine]), [], 'no English on the ended call');

      // the switch to English while the ended screen shows: texts the stores and views kept, said again
      await page.locator('#profile-language').selectOption('en', { force: true });
      await ended.filter({ hasText: 'Call ended' }).waitFor();
      await screenshot(page, 'i18n-en-call-ended-after-switch');
      await ended.waitFor({ state: 'detached' });
      await page.getByText('Profile saved.').waitFor();
      await page.getByRole('heading', { name: 'Profile' }).waitFor();
      assert.equal(await page.locator('html').getAttribute('lang'), 'en');
      assert.deepEqual(await chineseText(page, [...names, '简体中文']), [], 'no Chinese left on the profile');

      // back to the chat, still without a reload: English around the Chinese people wrote
      await page.locator(`a[data-session="${sessionid}"]`).click();
      await page.getByTestId('chat-title').filter({ hasText: group }).waitFor();
      await page.getByRole('separator', { name: 'Today' }).waitFor();
      await page.getByText(/2 members/).first().waitFor();
      await page.locator('[data-testid="call-message"]').first().waitFor();
      assert.deepEqual(await chineseText(page, [...names, '你好']), [], 'no Chinese left in the chat');
      await screenshot(page, 'i18n-en-after-switch-chat');
    } finally {
      await context.close();
    }
  });
});

describe('every page in zh-CN and in en', () => {
  let server: RunningServer;
  let browser: Browser;
  let lin: TestUser;
  let linSocket: TestSocket;
  // the publisher lives only here: closeAll collects it before the process exits (wrtc)
  const open: LivePeer[] = [];
  let streamid = '';
  const streamTitle = 'Morning run';
  const tag = Date.now().toString(36);
  // each language's walk makes a public group; the directory lists both (names show as they are)
  const groups = { 'zh-CN': `读书会 ${tag}`, en: `Readers ${tag}` };

  // before the server and browser close (after hooks run in order)
  after(async () => {
    await closeAll(open);
    linSocket?.disconnect();
  });
  useServerAndBrowser(async (s, b) => {
    [server, browser] = [s, b];
    // 林伟 streams in public, so the directory and a viewer page have something to show
    lin = await registerUser(server.url, '林伟');
    linSocket = await connectSocket(server.url, lin.token);
    streamid = await startPublicStream(await connectSocket(server.url, lin.token), streamTitle, open);
  }, startBrowserCallServer);

  const languages = [{ locale: 'zh-CN' }, { locale: 'en' }] as const;

  for (const language of languages) {
    test(`${language.locale}: every page speaks it, with no key left untranslated`, { timeout: 180_000 }, async () => {
      const { page, context } = await openUser(browser, server.url, { ...desktop, locale: language.locale });
      context.setDefaultTimeout(20_000);
      const account = newAccount('Mei');
      const group = groups[language.locale];
      // what people wrote and named: shown as it is in any language
      // (a public stream's chat group is named by the server after the stream: "Live: <title>", initials LM)
      const names = [account.nickname, account.email, ...Object.values(groups), '林伟', '读', 'R', '林', `Live: ${streamTitle}`, 'LM', streamTitle, 'CookIM'];
      const found: string[] = [];
      const check = async (label: string) => {
        await page.waitForTimeout(300);
        // each language's own name is in the profile's language menu
        const allowed = label === 'profile' ? [...names, 'English', '简体中文'] : names;
        const foreign =
          language.locale === 'zh-CN'
            ? await englishWords(page, [...allowed.flatMap((a) => a.match(/[A-Za-z]{2,}/g) ?? []), ...wordsOf(account.email, account.nickname, group)])
            : await chineseText(page, allowed);
        if (foreign.length) found.push(`${label}: ${language.locale === 'zh-CN' ? 'English' : 'Chinese'} ${JSON.stringify(foreign)}`);
        const keys = await keysShown(page, allowed);
        if (keys.length) found.push(`${label}: keys ${JSON.stringify(keys)}`);
        await screenshot(page, `i18n-${language.locale}-page-${label}`);
      };
      try {
        await tourEveryPage(page, { serverUrl: server.url, account, groupName: group, peer: lin, peerSocket: linSocket, streamid, check });
      } finally {
        await context.close();
      }
      assert.deepEqual(found, [], found.join('\n'));
    });
  }
});
