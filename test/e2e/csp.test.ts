/**
 * The web client under its Content-Security-Policy (issue 10, finding 8), in Chromium: two users
 * (a desktop and a phone) walk every page, send and open an image, open the emoji picker, go live
 * and watch the stream with hls.js (MediaSource blob: URL, blob: worker), and start a call; no page
 * may report a CSP violation (securitypolicyviolation events and Chromium's console errors). A
 * control injection first proves the policy is enforced and the watcher sees violations.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import type { Browser } from 'playwright-core';
import { ensureMediasoupWorker } from '../../standins/mediasoup/ensureMediasoupWorker.mjs';
import { launchBrowser, openUser, phone, screenshot, type UserPage } from '../support/browser';
import { startServer, type RunningServer } from '../support/server';
import { attachFiles, composer, createGroup, fileMessages, joinPublicGroup, newAccount, register, sendMessage, waitForLivePlayback, waitForMessage } from '../support/userSteps';

interface Watched extends UserPage {
  name: string;
  violations: string[];
}

/** Records every CSP violation of the user's pages (events and console), across navigations. */
async function watchCsp(user: UserPage, name: string): Promise<Watched> {
  const violations: string[] = [];
  // Init scripts are injected by the browser's debugging protocol, outside the page's CSP.
  await user.context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      console.error(`CSP violation: ${e.effectiveDirective} blocked ${e.blockedURI || '(inline)'} at ${e.sourceFile}:${e.lineNumber} ${e.sample}`);
    });
  });
  user.page.on('console', (message) => {
    const text = message.text();
    if (/CSP violation|Content Security Policy/i.test(text)) violations.push(`${name} ${user.page.url()}: ${text}`);
  });
  return { ...user, name, violations };
}

async function tinyPng(): Promise<Buffer> {
  return sharp({ create: { width: 320, height: 200, channels: 3, background: { r: 200, g: 120, b: 40 } } }).png().toBuffer();
}

describe('web client under its Content-Security-Policy', () => {
  let server: RunningServer;
  let browser: Browser;
  let alice: Watched;
  let bob: Watched;
  const aliceAccount = newAccount('Alice');
  const bobAccount = newAccount('Bob');
  const groupName = `Policy ${Date.now().toString(36)}`;
  let sessionid = '';

  const noViolations = (where: string) => {
    const all = [...alice.violations, ...bob.violations];
    assert.deepEqual(all, [], `${where}: CSP violations`);
  };

  before(async () => {
    process.env.MEDIASOUP_WORKER_BIN = await ensureMediasoupWorker({ log: (line) => process.stderr.write(`[mediasoup-worker] ${line}\n`) });
    const rtcPort = 20_000 + Math.floor(Math.random() * 400) * 50;
    [server, browser] = await Promise.all([startServer({ env: { RTC_PORT: String(rtcPort), LIVE_RENDITIONS: '360:400', LIVE_WEBRTC_VIEWERS: '0' } }), launchBrowser()]);
    alice = await watchCsp(await openUser(browser, server.url), 'alice(desktop)');
    bob = await watchCsp(await openUser(browser, server.url, phone), 'bob(phone)');
    for (const user of [alice, bob]) {
      await user.context.addInitScript(() => localStorage.setItem('cookim.debug', '1'));
      user.context.setDefaultTimeout(20_000);
    }
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('the policy is enforced: an injected inline script is blocked and reported', async () => {
    const { page } = alice;
    const res = await page.goto('/login');
    assert.match(res!.headers()['content-security-policy'] ?? '', /script-src 'self'/);
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    const ran = await page.evaluate(async () => {
      const script = document.createElement('script');
      script.textContent = 'window.__injected = true';
      document.body.append(script);
      const styled = document.createElement('div');
      styled.setAttribute('style', 'color: red');
      document.body.append(styled);
      await new Promise((resolve) => setTimeout(resolve, 200));
      return (window as unknown as { __injected?: boolean }).__injected === true;
    });
    assert.equal(ran, false, 'an inline script must not run');
    await page.waitForTimeout(200);
    assert.ok(alice.violations.some((v) => /script-src/.test(v)), `the watcher saw the script violation: ${alice.violations.join('\n')}`);
    assert.ok(alice.violations.some((v) => /style-src/.test(v)), `the watcher saw the style attribute violation: ${alice.violations.join('\n')}`);
    alice.violations.length = 0;
    await page.reload();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
  });

  test('sign-in and registration pages, then both register', async () => {
    await bob.page.goto('/login');
    await bob.page.getByRole('button', { name: 'Sign in' }).waitFor();
    await Promise.all([register(alice.page, aliceAccount), register(bob.page, bobAccount)]);
    noViolations('login, register, chat list');
  });

  test('a group conversation with text, emoji and an image message, on both screens', async () => {
    sessionid = await createGroup(alice.page, groupName);
    await joinPublicGroup(bob.page, groupName);
    await sendMessage(alice.page, 'Hello under a strict policy');
    await waitForMessage(bob.page, 'Hello under a strict policy');
    // emoji are drawn as Twemoji images (the bundled SVGs)
    await composer(alice.page).fill('With an emoji 🙂');
    await composer(alice.page).press('Enter');
    await waitForMessage(bob.page, 'With an emoji', { exact: false });
    await bob.page.waitForFunction(() => [...document.querySelectorAll<HTMLImageElement>('[data-testid="message-text"] img.emoji')].some((img) => img.complete && img.naturalWidth > 0));

    await alice.page.getByRole('button', { name: 'Emoji' }).click();
    await alice.page.getByTestId('emoji-picker').waitFor();
    await alice.page.waitForFunction(() => [...document.querySelectorAll<HTMLImageElement>('[data-testid="emoji-picker"] img')].some((img) => img.complete && img.naturalWidth > 0));
    await alice.page.keyboard.press('Escape');

    await attachFiles(alice.page, [{ name: 'policy.png', mimeType: 'image/png', buffer: await tinyPng() }]);
    await fileMessages(alice.page, 1, { sent: true }).first().waitFor({ timeout: 30_000 });
    const atBob = fileMessages(bob.page, 1).first();
    await atBob.waitFor();
    const thumb = atBob.locator('[data-testid="image-thumb"] img');
    await thumb.waitFor();
    await bob.page.waitForFunction((el) => !!el && (el as HTMLImageElement).complete && (el as HTMLImageElement).naturalWidth > 0, await thumb.elementHandle());
    await atBob.getByTestId('image-thumb').click();
    await bob.page.getByTestId('lightbox').waitFor();
    await bob.page.waitForFunction(() => {
      const img = document.querySelector<HTMLImageElement>('[data-testid="lightbox-image"]');
      return !!img && img.complete && img.naturalWidth > 0;
    });
    await bob.page.keyboard.press('Escape');
    await screenshot(bob.page, 'csp-phone-chat');
    noViolations('conversation, emoji picker, image message, lightbox');
  });

  test('profile, discover groups, live directory, an unknown stream, the go-live page', async () => {
    for (const user of [alice, bob]) {
      const { page } = user;
      await page.goto('/profile');
      await page.getByRole('heading', { name: 'Your details' }).waitFor();
      await page.goto('/discover');
      await page.getByTestId('public-group').first().waitFor();
      await page.goto('/live');
      await page.getByTestId('live-directory-go-live').waitFor();
      await page.waitForLoadState('networkidle');
      await page.goto('/live/0123456789abcdef01234567');
      await page.getByTestId('live-view').waitFor();
      await page.waitForLoadState('networkidle');
      await page.goto(`/live/new?sessionid=${sessionid}`);
      await page.getByTestId('go-live-view').waitFor();
      await page.waitForLoadState('networkidle');
      await page.goto('/new-group');
      await page.getByLabel('Group name').waitFor();
      await page.goto('/new-chat');
      await page.waitForLoadState('networkidle');
    }
    noViolations('profile, discover, live directory, unknown stream, go-live, new group, new chat');
  });

  test('a live stream: Alice publishes, Bob (phone) watches with hls.js', async () => {
    const { page } = alice;
    await page.goto(`/c/${sessionid}`);
    await page.getByRole('button', { name: 'Go live' }).click();
    await page.getByTestId('go-live-view').waitFor();
    await page.waitForFunction(() => (document.querySelector<HTMLVideoElement>('[data-testid="live-preview"]')?.videoWidth ?? 0) > 0);
    await page.getByLabel('Title').fill('Policy stream');
    await page.getByTestId('go-live-start').click();
    await page.locator('[data-testid="go-live-view"][data-state="live"]').waitFor({ timeout: 45_000 });

    const card = bob.page.locator('[data-testid="live-message"][data-live-event="started"]');
    await bob.page.goto(`/c/${sessionid}`);
    await card.first().waitFor();
    const streamid = (await card.first().getAttribute('data-streamid')) ?? '';
    await bob.page.goto(`/live/${streamid}`);
    await bob.page.getByTestId('live-view').waitFor();
    const played = await waitForLivePlayback(bob.page, 1, 45_000);
    assert.equal(played.debug.player, 'hls.js');
    await screenshot(bob.page, 'csp-phone-live');
    await page.getByTestId('go-live-stop').click();
    await bob.page.getByTestId('live-ended').waitFor({ timeout: 30_000 });
    noViolations('live publisher and viewer');
  });

  test('a video call screen', async () => {
    await alice.page.goto(`/c/${sessionid}`);
    await bob.page.goto(`/c/${sessionid}`);
    await alice.page.getByRole('button', { name: 'Start video call' }).click();
    await alice.page.getByTestId('call-view').waitFor();
    await bob.page.getByTestId('incoming-call').waitFor();
    await bob.page.getByRole('button', { name: 'Accept' }).click();
    await bob.page.getByTestId('call-view').waitFor();
    await alice.page.locator('[data-testid="call-view"][data-phase="in-call"]').waitFor({ timeout: 30_000 });
    await screenshot(bob.page, 'csp-phone-call');
    await alice.page.getByRole('button', { name: 'Hang up' }).click();
    await bob.page.getByRole('button', { name: 'Hang up' }).click().catch(() => undefined);
    noViolations('call screen');
  });
});
