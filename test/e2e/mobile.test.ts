/**
 * The web client on a 360x640 touch phone: no horizontal scrolling on the list and chat screens,
 * sending by tap, 16 px inputs (no iPhone zoom), 44 px touch targets, and phone screenshots.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { desktop, phone, screenshot } from '../support/browser';
import { SuitePerson, usePeople } from '../support/suitePeople';
import {
  composer,
  hasHorizontalScroll,
  joinPublicGroup,
  login,
  openConversation,
  register,
  sendMessage,
  unlabelledInputs,
  waitForHome,
  waitForMessage,
} from '../support/userSteps';

async function smallInputs(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll<HTMLElement>('input:not([type=radio]):not([type=hidden]), textarea, select')]
      .filter((el) => parseFloat(getComputedStyle(el).fontSize) < 16)
      .map((el) => el.outerHTML.slice(0, 100)),
  );
}

async function assertTouchTarget(page: Page, name: string): Promise<void> {
  const box = await page.getByRole('button', { name, exact: true }).or(page.getByRole('link', { name, exact: true })).first().boundingBox();
  assert.ok(box, `${name} is on screen`);
  assert.ok(box.width >= 44 && box.height >= 44, `${name} is ${box.width}x${box.height}, needs 44x44`);
}

describe('web client on a phone', () => {
  const carol = new SuitePerson('Carol', phone);
  const dave = new SuitePerson('Dave', desktop);
  const groupName = `Book club ${Date.now().toString(36)}`;
  usePeople([carol, dave]);

  test('sign-up screens fit the phone and use 16 px labelled inputs', async () => {
    const { page } = carol;
    await page.goto('/login');
    assert.equal(await hasHorizontalScroll(page), false);
    assert.deepEqual(await smallInputs(page), []);
    await screenshot(page, 'phone-login');
    await page.goto('/register');
    assert.deepEqual(await unlabelledInputs(page), []);
    assert.deepEqual(await smallInputs(page), []);
    await screenshot(page, 'phone-register');
    await Promise.all([register(page, carol.account), register(dave.page, dave.account)]);
    assert.equal(await hasHorizontalScroll(page), false);
    await screenshot(page, 'phone-list-empty');
  });

  test('a group is created and a message is sent by tapping', async () => {
    const { page } = carol;
    await page.getByRole('button', { name: 'New conversation' }).tap();
    await page.getByRole('menuitem', { name: /New group/ }).tap();
    await page.getByLabel('Group name').fill(groupName);
    await page.getByRole('button', { name: 'Create group' }).tap();
    await page.getByTestId('chat-title').filter({ hasText: groupName }).waitFor();
    // one pane at a time on a narrow screen: the list is hidden behind the chat
    assert.equal(await page.getByRole('navigation', { name: 'Conversation list' }).isVisible(), false);

    await joinPublicGroup(dave.page, groupName);
    await dave.page.getByRole('textbox', { name: 'Message' }).fill('Has everyone finished chapter three? 📚');
    await dave.page.getByRole('textbox', { name: 'Message' }).press('Enter');
    await waitForMessage(dave.page, 'Has everyone finished chapter three?', { mine: true, exact: false });

    await composer(page).tap();
    await composer(page).fill('Almost! Two pages to go :smile:');
    await page.getByRole('button', { name: 'Send', exact: true }).tap();
    const mine = await waitForMessage(page, 'Almost! Two pages to go', { mine: true, exact: false });
    await mine.locator('img.emoji[alt="😄"]').waitFor();
    await waitForMessage(dave.page, 'Almost! Two pages to go', { exact: false });
    await waitForMessage(page, 'Has everyone finished chapter three?', { exact: false });

    await sendMessage(dave.page, 'Great, see you all on Thursday at https://example.org/club');
    await waitForMessage(page, 'Great, see you all on Thursday at https://example.org/club');
    assert.equal(await hasHorizontalScroll(page), false);
    for (const name of ['Send', 'Emoji', 'Back to conversations', 'Members and settings']) await assertTouchTarget(page, name);
    assert.deepEqual(await smallInputs(page), []);
    await screenshot(page, 'phone-chat');
  });

  test('the emoji picker and the member panel work by touch', async () => {
    const { page } = carol;
    await page.getByRole('button', { name: 'Emoji', exact: true }).tap();
    await page.getByTestId('emoji-picker').waitFor();
    assert.equal(await hasHorizontalScroll(page), false);
    assert.deepEqual(await unlabelledInputs(page), []);
    await screenshot(page, 'phone-emoji-picker');
    await page.getByRole('tab', { name: 'Food' }).tap();
    await page.getByRole('option', { name: 'hot beverage' }).tap();
    await page.getByRole('button', { name: 'Send', exact: true }).tap();
    await page.getByTestId('message-text').locator('img.emoji[alt="☕"]').first().waitFor();

    await page.getByRole('button', { name: 'Members and settings' }).tap();
    await page.getByTestId('member-list').locator('li', { hasText: dave.account.nickname }).waitFor();
    assert.equal(await hasHorizontalScroll(page), false);
    await screenshot(page, 'phone-members');
    await page.getByRole('button', { name: 'Close details' }).tap();
  });

  test('the conversation list fits and shows the latest message', async () => {
    const { page } = carol;
    await page.getByRole('link', { name: 'Back to conversations' }).tap();
    await waitForHome(page);
    await page.getByRole('link', { name: new RegExp(groupName) }).waitFor();
    assert.equal(await hasHorizontalScroll(page), false);
    await screenshot(page, 'phone-list');
    await page.getByRole('link', { name: 'Your profile and settings' }).tap();
    await page.getByRole('heading', { name: 'Profile' }).waitFor();
    assert.deepEqual(await unlabelledInputs(page), []);
    assert.equal(await hasHorizontalScroll(page), false);
    await screenshot(page, 'phone-profile');
    await page.goto('/discover');
    await page.getByTestId('public-group').first().waitFor();
    assert.equal(await hasHorizontalScroll(page), false);
    await screenshot(page, 'phone-discover');
    assert.deepEqual([...carol.pageErrors, ...dave.pageErrors], []);
  });

  test('profile changes, a password change that keeps you signed in, sign out and back in', async () => {
    const { page } = carol;
    await page.goto('/profile');
    await page.getByLabel('Nickname').fill(`${carol.account.nickname} ✨`);
    await page.getByRole('button', { name: 'Save profile' }).tap();
    await page.getByText('Profile saved.').waitFor();

    const newPassword = 'a brand new secret 9';
    await page.getByLabel('Current password').fill(carol.account.password);
    await page.getByLabel('New password').fill(newPassword);
    await page.getByRole('button', { name: 'Change password' }).tap();
    await page.getByText('Password changed.').waitFor();
    // still signed in (no reload), and the realtime connection works with the new token
    await page.getByRole('link', { name: 'Back to conversations' }).tap();
    await openConversation(page, groupName);
    await sendMessage(dave.page, 'Ping after the password change');
    await waitForMessage(page, 'Ping after the password change');

    await page.goto('/profile');
    await page.getByRole('button', { name: 'Sign out' }).tap();
    await page.getByRole('heading', { name: 'Welcome back' }).waitFor();
    await login(page, { ...carol.account, password: newPassword });
  });
});
