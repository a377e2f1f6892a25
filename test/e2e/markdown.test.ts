/**
 * Markdown and emoji shortcodes in the web client (issue 12, points 2 and 3): Alice on a desktop
 * sends bold, italic, strike, inline code, a code block, a quote, a list and a `www.` link; Bob on
 * a phone sees each as its element (the code block scrolling inside its bubble, not the page), and
 * hostile links as text; the conversation list shows the text without its markdown. In the
 * composer `:thumbs` lists emoji to pick by keyboard, `:joy` by touch, and `:+1:` typed in full
 * becomes 👍.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Locator } from 'playwright-core';
import { desktop, launchBrowser, openUser, phone, screenshot, type UserPage } from '../support/browser';
import { startServer, type RunningServer } from '../support/server';
import {
  composer,
  createGroup,
  escapeRegExp,
  hasHorizontalScroll,
  joinPublicGroup,
  messages,
  newAccount,
  register,
  waitForMessage,
} from '../support/userSteps';

describe('web client: markdown and emoji shortcodes', () => {
  let server: RunningServer;
  let browser: Browser;
  let alice: UserPage;
  let bob: UserPage;
  const groupName = `Markdown ${Date.now().toString(36)}`;

  before(async () => {
    [server, browser] = await Promise.all([startServer(), launchBrowser()]);
    alice = await openUser(browser, server.url, desktop);
    bob = await openUser(browser, server.url, phone);
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  /** Sends by Enter on the desktop and waits until the server acknowledged it. */
  async function aliceSends(text: string, shownAs: string): Promise<Locator> {
    await composer(alice.page).fill(text);
    await composer(alice.page).press('Enter');
    await waitForMessage(alice.page, shownAs, { mine: true });
    await waitForMessage(bob.page, shownAs);
    return messages(bob.page, shownAs).getByTestId('message-text');
  }

  test('Alice (desktop) creates a group, Bob (phone) joins it', async () => {
    await Promise.all([register(alice.page, newAccount('Alice')), register(bob.page, newAccount('Bob'))]);
    await createGroup(alice.page, groupName);
    await joinPublicGroup(bob.page, groupName);
  });

  test('inline markdown renders as elements, and the list preview is plain text', async () => {
    const text = await aliceSends('**bold** _it_ ~~s~~ `code`', 'bold it s code');
    assert.equal(await text.locator('strong').textContent(), 'bold');
    assert.equal(await text.locator('em').textContent(), 'it');
    assert.equal(await text.locator('s').textContent(), 's');
    assert.equal(await text.locator('code').textContent(), 'code');
    const family = await text.locator('code').evaluate((el) => getComputedStyle(el).fontFamily);
    assert.match(family, /mono/i);

    // the conversation list beside Alice's chat: the same text, markdown removed
    const item = alice.page.getByRole('navigation', { name: 'Conversation list' }).getByRole('link', { name: new RegExp(escapeRegExp(groupName)) });
    await item.locator('.preview').filter({ hasText: 'You: bold it s code' }).waitFor();
    assert.doesNotMatch((await item.locator('.preview').textContent()) ?? '', /[*_~`]/);
  });

  test('a code block scrolls inside its bubble; quotes, lists and www. links render', async () => {
    const longLine = `const line = "${'x'.repeat(160)}";`;
    const code = await aliceSends(`\`\`\`js\n${longLine}\n  indented();\n\`\`\``, `${longLine}\n  indented();`);
    const pre = code.locator('pre');
    assert.equal(await pre.locator('code').textContent(), `${longLine}\n  indented();`);
    const box = await pre.evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth, whiteSpace: getComputedStyle(el).whiteSpace }));
    assert.ok(box.scroll > box.client, `the long line scrolls (${box.scroll} > ${box.client})`);
    assert.equal(box.whiteSpace, 'pre');
    assert.equal(await hasHorizontalScroll(bob.page), false, 'the page itself does not scroll sideways');

    const quote = await aliceSends('> quoted words\n\nmy reply', 'quoted wordsmy reply');
    assert.equal(await quote.locator('blockquote').textContent(), 'quoted words');
    assert.equal(await quote.locator('p').last().textContent(), 'my reply');

    const list = await aliceSends('- apples\n- pears\n\n1. first\n2. second', 'applespearsfirstsecond');
    assert.deepEqual(await list.locator('ul > li').allTextContents(), ['apples', 'pears']);
    assert.deepEqual(await list.locator('ol > li').allTextContents(), ['first', 'second']);

    const link = await aliceSends('see www.example.com\nor [the docs](https://example.com/docs)', 'see www.example.comor the docs');
    const www = link.getByRole('link', { name: 'www.example.com' });
    assert.equal(await www.getAttribute('href'), 'http://www.example.com/');
    assert.equal(await www.getAttribute('target'), '_blank');
    assert.match((await www.getAttribute('rel')) ?? '', /noopener/);
    assert.equal(await link.getByRole('link', { name: 'the docs' }).getAttribute('href'), 'https://example.com/docs');
    assert.equal(await link.locator('br').count(), 1, 'the line break is kept');
    await screenshot(bob.page, 'phone-markdown');
    await screenshot(alice.page, 'desktop-markdown');
  });

  test('hostile markup and links stay text', async () => {
    const hostile = await aliceSends('[click](javascript:alert(1)) <script>alert(2)</script> [d](data:text/html,x)', '[click](javascript:alert(1)) <script>alert(2)</script> [d](data:text/html,x)');
    assert.equal(await hostile.locator('a, script').count(), 0);
    assert.deepEqual([...alice.dialogs, ...bob.dialogs], []);
  });

  test('desktop: `:thumbs` lists emoji, picked by keyboard; Esc closes; `:+1:` in full becomes 👍', async () => {
    const { page } = alice;
    const input = composer(page);
    await input.fill('');
    await input.pressSequentially('Nice :thumbs', { delay: 20 });
    const list = page.getByRole('listbox', { name: 'Emoji suggestions' });
    await list.waitFor();
    const options = list.getByRole('option');
    assert.equal(await options.first().getAttribute('data-emoji'), '👍');
    assert.equal(await options.nth(1).getAttribute('data-emoji'), '👎');
    // the focus stays in the textarea, which points at the active option
    assert.equal(await input.getAttribute('aria-activedescendant'), await options.first().getAttribute('id'));
    assert.equal(await page.getByRole('combobox', { name: 'Message' }).getAttribute('aria-expanded'), 'true');
    await screenshot(page, 'desktop-shortcodes');
    await input.press('ArrowDown');
    assert.equal(await input.getAttribute('aria-activedescendant'), await options.nth(1).getAttribute('id'));
    assert.equal(await options.nth(1).getAttribute('aria-selected'), 'true');
    await input.press('ArrowUp');
    await input.press('Enter');
    await list.waitFor({ state: 'hidden' });
    assert.equal(await input.inputValue(), 'Nice 👍');

    await input.pressSequentially(' :smi', { delay: 20 });
    await list.waitFor();
    await input.press('Escape');
    await list.waitFor({ state: 'hidden' });
    assert.equal(await input.inputValue(), 'Nice 👍 :smi');
    await input.press('Backspace');
    await input.press('Backspace');
    await input.press('Backspace');
    await input.press('Backspace');

    await input.pressSequentially(':+1:', { delay: 20 });
    await page.waitForFunction(() => (document.querySelector('[data-testid="composer-input"]') as HTMLTextAreaElement).value === 'Nice 👍 👍');
    await input.press('Enter');
    const sent = await waitForMessage(page, 'Nice', { mine: true, exact: false });
    assert.equal(await sent.last().locator('img.emoji[alt="👍"]').count(), 2);
  });

  test('phone: `:joy` lists emoji with touch-sized rows, picked by a tap', async () => {
    const { page } = bob;
    const input = composer(page);
    await input.tap();
    await input.pressSequentially(':joy', { delay: 20 });
    const option = page.getByRole('listbox', { name: 'Emoji suggestions' }).getByRole('option').first();
    await option.waitFor();
    assert.equal(await option.getAttribute('data-emoji'), '😂');
    const box = await option.boundingBox();
    assert.ok(box && box.height >= 44, `a 44 px row (${box?.height})`);
    assert.equal(await hasHorizontalScroll(page), false);
    await screenshot(page, 'phone-shortcodes');
    await option.tap();
    assert.equal(await input.inputValue(), '😂');
    assert.ok(await input.evaluate((el) => el === document.activeElement), 'the keyboard stays up');
    await page.getByRole('button', { name: 'Send', exact: true }).tap();
    await alice.page.getByTestId('message-text').locator('img.emoji[alt="😂"]').first().waitFor();

    // sending while the list is open takes the list away with the text
    await input.pressSequentially('on :fire', { delay: 20 });
    const list = page.getByRole('listbox', { name: 'Emoji suggestions' });
    await list.waitFor();
    await page.getByRole('button', { name: 'Send', exact: true }).tap();
    await waitForMessage(page, 'on :fire', { mine: true });
    await list.waitFor({ state: 'hidden' });
  });
});
