/** The web client's register and profile forms say in words why a password or name is refused. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchBrowser, openUser } from '../support/browser';
import { registerUser } from '../support/client';
import { startServer, type RunningServer } from '../support/server';

let server: RunningServer;
let browser: Browser;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

test('registering with a weak password or a bidi-override nickname shows why', async () => {
  const { page, context } = await openUser(browser, server.url);
  try {
    await page.goto('/register');
    await page.getByLabel('Email').fill(`weakform${Date.now().toString(36)}@example.test`);
    await page.getByLabel('Nickname').fill('Form Tester');
    await page.getByLabel('Password', { exact: true }).fill('12345678');
    await page.getByRole('button', { name: 'Create account' }).click();
    // the problem sits at its field, which is marked invalid and described by it
    const passwordError = page.getByTestId('field-error').filter({ hasText: /Choose a stronger password: this password is too common/ });
    await passwordError.waitFor();
    const password = page.getByLabel('Password', { exact: true });
    assert.equal(await password.getAttribute('aria-invalid'), 'true');
    assert.ok((await password.getAttribute('aria-describedby'))?.split(' ').includes((await passwordError.getAttribute('id'))!));

    await page.getByLabel('Nickname').fill('evil\u202Egnp.exe');
    await page.getByLabel('Password', { exact: true }).fill('violet harbor 58 lanterns');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByTestId('field-error').filter({ hasText: 'text-direction' }).waitFor();
    assert.equal(await page.getByLabel('Nickname').getAttribute('aria-invalid'), 'true');
    assert.equal(new URL(page.url()).pathname, '/register', 'no account, still on the form');
  } finally {
    await context.close();
  }
});

test('changing to a weak password on the profile page shows why', async () => {
  const user = await registerUser(server.url, 'Profile Tester');
  const { page, context } = await openUser(browser, server.url);
  try {
    await page.goto('/login');
    await page.getByLabel('Email').fill(user.login);
    await page.getByLabel('Password').fill(user.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Chats' }).waitFor();
    await page.goto('/profile');
    await page.getByLabel('Current password').fill(user.password);
    await page.getByLabel('New password').fill('        ');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByRole('alert').filter({ hasText: 'Choose a stronger password: a password cannot be only spaces' }).waitFor();
  } finally {
    await context.close();
  }
});
