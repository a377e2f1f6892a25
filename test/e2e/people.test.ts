/**
 * People in the web client (issue 14, points 1-3): Alice asks Bob to be friends from his card and
 * Bob's sidebar shows the request live; he accepts and Alice's card says friends. In Alice's group
 * she makes Bob an admin (both see the badge), Bob removes Carol; Alice bans Carol, whose invite
 * link is then refused in her language until Alice unbans her and she joins through the link.
 * Alice mutes Bob, whose composer says until when and is disabled. Bob blocks Carol: her group
 * messages are collapsed for him, and her "Message" on his card is refused with the localized
 * `blocked` text; he unblocks her from his profile. Alice hands the group over to Bob. One pass on
 * a desktop in English, one on a phone in Chinese.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContextOptions, Locator, Page } from 'playwright-core';
import type { SessionView, UserView } from '../../signaling/protocol';
import en from '../../web/src/i18n/en';
import zhCN from '../../web/src/i18n/zh-CN';
import { desktop, openUser, phone, screenshot, useServerAndBrowser, type UserPage } from '../support/browser';
import type { RunningServer } from '../support/server';
import { newAccount, waitForMessage, type Account } from '../support/userSteps';

interface Person {
  account: Account;
  user: UserView;
  token: string;
  at: UserPage;
}

const passes = [
  { name: 'desktop-en', options: { ...desktop, locale: 'en-US' }, catalogue: en },
  { name: 'phone-zh', options: { ...phone, locale: 'zh-CN' }, catalogue: zhCN },
] as const;

let server: RunningServer;
let browser: Browser;

useServerAndBrowser((s, b) => {
  server = s;
  browser = b;
});

/** REST as a signed-in user (the setup the UI is not under test for). */
async function rest<T>(token: string, method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${server.url}/api${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  assert.ok(response.ok, `${method} ${path}: ${response.status} ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

/** Registers through the API and opens the app signed in (the register screen has its own tests). */
async function person(nickname: string, options: BrowserContextOptions): Promise<Person> {
  const account = newAccount(nickname);
  const response = await fetch(`${server.url}/api/users`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ login: account.email, nickname: account.nickname, password: account.password }),
  });
  assert.equal(response.status, 201);
  const { token, user } = (await response.json()) as { token: string; user: UserView };
  const at = await openUser(browser, server.url, options);
  await at.page.addInitScript(
    ([t, u]) => {
      if (!localStorage.getItem('cookim.token')) {
        localStorage.setItem('cookim.token', JSON.stringify(t));
        localStorage.setItem('cookim.user', JSON.stringify(u));
      }
    },
    [token, user] as const,
  );
  return { account, user, token, at };
}

/** The info panel's member list of a group: it shows beside the chat on a desktop, phones open it. */
async function members(page: Page): Promise<Locator> {
  const list = page.getByTestId('member-list');
  await page.getByTestId('chat-title').waitFor();
  const narrow = (page.viewportSize()?.width ?? 0) < 768;
  if (narrow && !(await list.isVisible())) await page.getByTestId('info-button').click();
  await list.waitFor();
  return list;
}

/** Phones show the info panel over the chat: close it to see the messages and the composer. */
async function closePanel(page: Page, narrow: boolean): Promise<void> {
  const panel = page.getByTestId('info-panel');
  if (narrow && (await panel.isVisible())) await panel.locator('.info-head button').click();
}

async function memberAction(page: Page, uid: string, action: string): Promise<void> {
  const row = (await members(page)).locator(`li[data-uid="${uid}"]`);
  if (!(await row.getByTestId('member-actions').isVisible())) await row.getByTestId('member-actions-toggle').click();
  await row.getByTestId(action).click();
}

for (const pass of passes) {
  describe(`web client: people (${pass.name})`, () => {
    const t = pass.catalogue.people;
    const narrow = pass.name.startsWith('phone');
    let alice: Person;
    let bob: Person;
    let carol: Person;
    let groupid = '';
    let inviteUrl = '';

    before(async () => {
      [alice, bob, carol] = await Promise.all([person('Alice', pass.options), person('Bob', pass.options), person('Carol', pass.options)]);
      const { session } = await rest<{ session: SessionView }>(alice.token, 'POST', '/sessions', {
        name: `People ${pass.name}`,
        visabletype: 1,
        jointype: 0,
      });
      groupid = session.sessionid;
      await rest(bob.token, 'POST', `/sessions/${groupid}/join`);
      await rest(carol.token, 'POST', `/sessions/${groupid}/join`);
      await Promise.all([alice, bob, carol].map((p) => p.at.page.goto('/')));
    });

    after(async () => {
      for (const p of [alice, bob, carol]) {
        assert.deepEqual(p?.at.pageErrors ?? [], [], `no page errors for ${p?.account.nickname}`);
        await p?.at.context.close();
      }
    });

    test('a friend request from the card reaches Bob live; he accepts and Alice sees friends', async () => {
      const page = alice.at.page;
      await page.getByTestId('friends-toggle').click();
      await page.getByTestId('find-people').click();
      await page.locator('#people-search').fill(bob.account.email);
      await page.getByTestId('user-result').filter({ hasText: bob.account.nickname }).getByRole('button', { name: t.view, exact: true }).click();
      const card = page.getByTestId('user-card');
      await card.waitFor();
      await card.getByTestId('user-card-add-friend').click();
      await card.getByTestId('user-card-friend-state').filter({ hasText: t.requested }).waitFor();

      // Bob's sidebar shows the request without a reload (friends:update)
      const badge = bob.at.page.getByTestId('friend-requests-badge');
      await badge.waitFor();
      await bob.at.page.getByTestId('friends-toggle').click();
      const request = bob.at.page.getByTestId('friend-requests').locator(`li[data-uid="${alice.user.uid}"]`);
      await request.waitFor();
      await screenshot(bob.at.page, `people-${pass.name}-friend-request`);
      await request.getByTestId('friend-accept').click();
      await bob.at.page.getByTestId('friend-list').locator(`li[data-uid="${alice.user.uid}"]`).waitFor();

      // Alice's open card and her list follow
      await card.getByTestId('user-card-friend-state').filter({ hasText: t.isFriend }).waitFor();
      await screenshot(page, `people-${pass.name}-friends-card`);
      await page.keyboard.press('Escape');
      await card.waitFor({ state: 'hidden' });
      await page.getByTestId('friend-list').locator(`li[data-uid="${bob.user.uid}"]`).waitFor();
      await screenshot(page, `people-${pass.name}-friends`);
    });

    test('the owner makes Bob an admin; both see the badge', async () => {
      await Promise.all([alice, bob, carol].map((p) => p.at.page.goto(`/c/${groupid}`)));
      const mine = await members(alice.at.page);
      await mine.locator(`li[data-uid="${alice.user.uid}"][data-role="owner"]`).getByTestId('role-badge').filter({ hasText: t.roleOwner }).waitFor();
      await memberAction(alice.at.page, bob.user.uid, 'member-make-admin');
      await mine.locator(`li[data-uid="${bob.user.uid}"][data-role="admin"]`).getByTestId('role-badge').filter({ hasText: t.roleAdmin }).waitFor();
      // Bob's panel follows through session:update
      const his = await members(bob.at.page);
      await his.locator(`li[data-uid="${bob.user.uid}"][data-role="admin"]`).waitFor();
      await screenshot(alice.at.page, `people-${pass.name}-roles`);
      // a plain member is offered no actions
      const hers = await members(carol.at.page);
      await hers.locator(`li[data-uid="${bob.user.uid}"]`).waitFor();
      assert.equal(await hers.getByTestId('member-actions-toggle').count(), 0);
    });

    test('the admin removes Carol', async () => {
      await memberAction(bob.at.page, carol.user.uid, 'member-kick');
      await bob.at.page.getByTestId('member-action-confirm').click();
      await (await members(bob.at.page)).locator(`li[data-uid="${carol.user.uid}"]`).waitFor({ state: 'detached' });
      // Carol's chat closes: the conversation is gone from her list
      await carol.at.page.waitForURL((url) => !url.pathname.startsWith(`/c/${groupid}`));
    });

    test('a banned Carol is refused at the invite link until unbanned, then joins through it', async () => {
      await rest(carol.token, 'POST', `/sessions/${groupid}/join`);
      const page = alice.at.page;
      await (await members(page)).locator(`li[data-uid="${carol.user.uid}"]`).waitFor();
      await memberAction(page, carol.user.uid, 'member-ban');
      await page.getByTestId('member-action-confirm').click();
      const banned = page.getByTestId('banned-list').locator(`li[data-uid="${carol.user.uid}"]`);
      await banned.waitFor();

      const links = page.getByTestId('invite-links');
      await links.getByTestId('invite-lifetime').selectOption('3600');
      await links.getByTestId('invite-create').click();
      inviteUrl = await links.getByTestId('invite-url').first().inputValue();
      assert.match(inviteUrl, /\/invite\/[A-Za-z0-9_-]{22}$/);
      await screenshot(page, `people-${pass.name}-invite-links`);

      const path = new URL(inviteUrl).pathname;
      await carol.at.page.goto(path);
      await carol.at.page.getByTestId('invite-group-name').filter({ hasText: `People ${pass.name}` }).waitFor();
      await carol.at.page.getByTestId('invite-join').click();
      await carol.at.page.getByTestId('invite-error').filter({ hasText: t.errors.banned }).waitFor();
      await screenshot(carol.at.page, `people-${pass.name}-invite-banned`);

      await banned.getByTestId('unban').click();
      await banned.waitFor({ state: 'detached' });
      await carol.at.page.getByTestId('invite-join').click();
      await carol.at.page.waitForURL((url) => url.pathname === `/c/${groupid}`);
      await carol.at.page.getByTestId('chat-title').filter({ hasText: `People ${pass.name}` }).waitFor();
    });

    test('a signed-out visitor of the invite link signs in first and comes back to it', async () => {
      const dave = newAccount('Dave');
      const created = await fetch(`${server.url}/api/users`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ login: dave.email, nickname: dave.nickname, password: dave.password }),
      });
      assert.equal(created.status, 201);
      const at = await openUser(browser, server.url, pass.options);
      try {
        const path = new URL(inviteUrl).pathname;
        await at.page.goto(path);
        await at.page.waitForURL(/\/login/);
        await at.page.locator('input[type="email"]').fill(dave.email);
        await at.page.locator('input[type="password"]').fill(dave.password);
        await at.page.locator('button[type="submit"]').click();
        await at.page.waitForURL((url) => url.pathname === path);
        await at.page.getByTestId('invite-join').click();
        await at.page.waitForURL((url) => url.pathname === `/c/${groupid}`);
        await (await members(alice.at.page)).locator('li', { hasText: dave.nickname }).waitFor();
      } finally {
        await at.context.close();
      }
    });

    test('a muted Bob sees until when, and his composer is disabled', async () => {
      await closePanel(bob.at.page, narrow);
      await memberAction(alice.at.page, bob.user.uid, 'member-mute-1');
      await (await members(alice.at.page)).locator(`li[data-uid="${bob.user.uid}"]`).getByTestId('member-muted').waitFor();
      const notice = bob.at.page.getByTestId('muted-notice');
      await notice.waitFor();
      assert.ok((await notice.textContent())?.startsWith(t.youAreMuted.split('{time}')[0]!));
      assert.equal(await bob.at.page.getByTestId('composer-input').isDisabled(), true);
      await screenshot(bob.at.page, `people-${pass.name}-muted`);
      // unmuted, the composer is back
      await memberAction(alice.at.page, bob.user.uid, 'member-unmute');
      await notice.waitFor({ state: 'detached' });
      assert.equal(await bob.at.page.getByTestId('composer-input').isDisabled(), false);
    });

    test('Bob blocks Carol: her group messages fold for him, and she cannot message him privately', async () => {
      const page = bob.at.page;
      await (await members(page)).locator(`li[data-uid="${carol.user.uid}"]`).getByTestId('user-card-open').click();
      const card = page.getByTestId('user-card');
      await card.getByTestId('user-card-block').click();
      await card.getByTestId('user-card-block-confirm').click();
      await card.getByTestId('user-card-blocked').waitFor();
      await page.keyboard.press('Escape');

      const words = `hello from ${pass.name}`;
      await carol.at.page.getByTestId('composer-input').fill(words);
      await carol.at.page.getByTestId('send-button').click();
      await waitForMessage(carol.at.page, words, { mine: true });
      await closePanel(page, narrow);
      const folded = page.getByTestId('blocked-message').filter({ hasText: t.blockedMessage });
      await folded.first().waitFor();
      await screenshot(page, `people-${pass.name}-blocked-message`);
      await folded.first().getByTestId('blocked-message-show').click();
      await waitForMessage(page, words);

      // Carol opens Bob's card and asks for a private chat: refused, in her language
      const hers = await members(carol.at.page);
      await hers.locator(`li[data-uid="${bob.user.uid}"]`).getByTestId('user-card-open').click();
      const herCard = carol.at.page.getByTestId('user-card');
      await herCard.getByTestId('user-card-message').click();
      await herCard.getByTestId('user-card-error').filter({ hasText: t.errors.blocked }).waitFor();
      await screenshot(carol.at.page, `people-${pass.name}-blocked-error`);

      // the profile lists Carol; unblocked, her messages unfold
      await page.goto('/profile');
      const entry = page.getByTestId('blocked-users').locator(`li[data-uid="${carol.user.uid}"]`);
      await entry.waitFor();
      await screenshot(page, `people-${pass.name}-blocked-list`);
      await entry.getByTestId('unblock').click();
      await page.getByTestId('blocked-users').getByText(t.noneBlocked).waitFor();
      await page.goto(`/c/${groupid}`);
      await waitForMessage(page, words);
      assert.equal(await page.getByTestId('blocked-message').count(), 0);
    });

    test('the owner hands the group over after a confirmation: Bob owns it, Alice is an admin', async () => {
      const page = alice.at.page;
      await memberAction(page, bob.user.uid, 'member-transfer');
      await page.getByTestId('member-action-confirm').click();
      const list = await members(page);
      await list.locator(`li[data-uid="${bob.user.uid}"][data-role="owner"]`).getByTestId('role-badge').filter({ hasText: t.roleOwner }).waitFor();
      await list.locator(`li[data-uid="${alice.user.uid}"][data-role="admin"]`).getByTestId('role-badge').filter({ hasText: t.roleAdmin }).waitFor();
      // an admin is offered no actions on the owner
      assert.equal(await list.locator(`li[data-uid="${bob.user.uid}"]`).getByTestId('member-actions-toggle').count(), 0);
      await screenshot(page, `people-${pass.name}-transferred`);
    });
  });
}
