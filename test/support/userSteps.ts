/** User-level steps through the web client, shared by the e2e tests. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { Locator, Page } from 'playwright-core';

export interface Account {
  email: string;
  nickname: string;
  password: string;
}

export function newAccount(nickname: string): Account {
  const tag = randomBytes(3).toString('hex');
  return { email: `${nickname.toLowerCase()}.${tag}@example.test`, nickname: `${nickname} ${tag}`, password: 'correct horse 1' };
}

/**
 * Waits until the conversation list is on screen (narrow screens) or the home layout is (wide):
 * its search button, found by test id in any language.
 */
export async function waitForHome(page: Page): Promise<void> {
  await page.getByTestId('message-search-open').waitFor();
}

/** The sign-in and registration forms, by their fields' ids and the submit button (any language). */
async function submitAuthForm(page: Page, path: '/register' | '/login', fields: Record<string, string>): Promise<void> {
  await page.goto(path);
  for (const [id, value] of Object.entries(fields)) await page.locator(`#${id}`).fill(value);
  await page.locator('form button[type="submit"]').click();
  await waitForHome(page);
}

export async function register(page: Page, account: Account): Promise<void> {
  await submitAuthForm(page, '/register', {
    'register-email': account.email,
    'register-nickname': account.nickname,
    'register-password': account.password,
  });
}

export async function login(page: Page, account: Account): Promise<void> {
  await submitAuthForm(page, '/login', { 'login-email': account.email, 'login-password': account.password });
}

export async function createGroup(page: Page, name: string): Promise<string> {
  await page.getByRole('button', { name: 'New conversation' }).click();
  await page.getByRole('menuitem', { name: /New group/ }).click();
  await page.getByLabel('Group name').fill(name);
  await page.getByRole('button', { name: 'Create group' }).click();
  await page.getByTestId('chat-title').filter({ hasText: name }).waitFor();
  const match = /\/c\/([0-9a-f]{24})/.exec(page.url());
  assert.ok(match, `chat url expected, got ${page.url()}`);
  return match[1]!;
}

export async function joinPublicGroup(page: Page, name: string): Promise<void> {
  await page.goto('/discover');
  await page.getByRole('button', { name: `Join ${name}` }).click();
  await page.getByTestId('chat-title').filter({ hasText: name }).waitFor();
}

export async function openConversation(page: Page, name: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Conversation list' }).getByRole('link', { name: new RegExp(escapeRegExp(name)) }).click();
  await page.getByTestId('chat-title').filter({ hasText: name }).waitFor();
}

export function composer(page: Page): Locator {
  return page.getByRole('textbox', { name: 'Message' });
}

/** Types and sends with Enter (desktop), then waits until the server acknowledged it. */
export async function sendMessage(page: Page, text: string): Promise<Locator> {
  await composer(page).fill(text);
  await composer(page).press('Enter');
  return waitForMessage(page, text, { mine: true });
}

/**
 * Messages whose text is exactly `text` (or contains it, with exact: false). Emoji render as
 * images, which are not part of the text: match such messages on their words with exact: false.
 */
export function messages(page: Page, text: string, exact = true): Locator {
  return page.getByTestId('message').filter({ has: page.getByTestId('message-text').getByText(text, { exact }) });
}

export async function waitForMessage(
  page: Page,
  text: string,
  options: { mine?: boolean; exact?: boolean } = {},
): Promise<Locator> {
  const message = messages(page, text, options.exact ?? true);
  const target = options.mine ? message.and(page.locator('[data-status="sent"]')) : message;
  await target.first().waitFor();
  return message;
}

export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Every input, textarea and select must have an accessible name (a <label> or aria label). */
export async function unlabelledInputs(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll<HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement>('input, textarea, select')]
      .filter((el) => !(el instanceof HTMLInputElement && el.type === 'hidden') && !el.hidden)
      .filter((el) => {
        const labelled = (el.labels?.length ?? 0) > 0 || !!el.getAttribute('aria-label') || !!el.getAttribute('aria-labelledby');
        return !labelled;
      })
      .map((el) => el.outerHTML.slice(0, 120)),
  );
}

export async function hasHorizontalScroll(page: Page): Promise<boolean> {
  return page.evaluate(() => {
    const root = document.scrollingElement!;
    return root.scrollWidth > root.clientWidth;
  });
}

/** A file as the browser's file chooser would hand it over. */
export interface PickedFile {
  name: string;
  mimeType: string;
  buffer: Buffer;
}

/** Picks files with the composer's paperclip (the hidden file input behind it). */
export async function attachFiles(page: Page, files: PickedFile[]): Promise<void> {
  await page.getByTestId('file-input').setInputFiles(files);
}

/** Messages of one msgtype (1 image, 2 voice, 3 video, 4 file); `sent` narrows to acknowledged ones. */
export function fileMessages(page: Page, msgtype: number, options: { sent?: boolean } = {}): Locator {
  const selector = `[data-testid="message"][data-msgtype="${msgtype}"]${options.sent ? '[data-status="sent"]' : ''}`;
  return page.locator(selector);
}

// ---- calls ----

/** The signed-in user's uid, as the web client stored it. */
export async function uidOf(page: Page): Promise<string> {
  const uid = await page.evaluate(() => (JSON.parse(localStorage.getItem('cookim.user') ?? 'null') as { uid?: string } | null)?.uid);
  assert.ok(uid, 'signed in');
  return uid;
}

/** The call tile showing one participant's camera (or avatar). */
export function callTile(page: Page, uid: string, source: 'camera' | 'screen' = 'camera'): Locator {
  return page.locator(`[data-testid="call-tile"][data-uid="${uid}"][data-source="${source}"]`);
}

/** Waits until the tile of `uid` plays decoded video frames (`<video>` with a size and frames). */
export async function waitForRemoteVideo(page: Page, uid: string, timeoutMs = 30_000): Promise<{ width: number; frames: number }> {
  const handle = await page.waitForFunction(
    (id) => {
      const video = document.querySelector<HTMLVideoElement>(`[data-testid="call-tile"][data-uid="${id}"][data-source="camera"] video`);
      if (!video || !video.srcObject || video.videoWidth === 0) return null;
      const frames = video.getVideoPlaybackQuality().totalVideoFrames;
      return frames > 0 ? { width: video.videoWidth, frames } : null;
    },
    uid,
    { timeout: timeoutMs, polling: 250 },
  );
  return (await handle.jsonValue()) as { width: number; frames: number };
}

// ---- live streams ----

/** What the viewer page's debug hook (`window.__cookimLive`, with localStorage cookim.debug) reports. */
export interface LiveDebug {
  currentTime: number;
  latency: number | null;
  viewers: number | null;
  state: string | null;
  player: 'hls.js' | 'native' | 'webrtc' | null;
  /** Real time (WebRTC), LL-HLS or HLS (S27). */
  mode?: 'rtc' | 'llhls' | 'hls' | null;
  /** In real time: what the delay estimate last read of the browser's stats. */
  rtc?: unknown;
}

export async function liveDebug(page: Page): Promise<LiveDebug | null> {
  return page.evaluate(() => {
    const hook = (window as Window & { __cookimLive?: LiveDebug }).__cookimLive;
    return hook ? { currentTime: hook.currentTime, latency: hook.latency, viewers: hook.viewers, state: hook.state, player: hook.player, mode: hook.mode, rtc: hook.rtc } : null;
  });
}

/** Waits for the viewer page's delay readout; when it does not come, the error tells what the page's player saw. */
export async function waitForLiveDelay(page: Page, readout: Locator, timeoutMs = 20_000): Promise<void> {
  try {
    await readout.waitFor({ timeout: timeoutMs });
  } catch (error) {
    throw new Error(`${(error as Error).message}\nthe player: ${JSON.stringify(await liveDebug(page))}`);
  }
}

/**
 * Waits until the viewer page's video plays, then until it has advanced `seconds` further; answers
 * the hook's last report and the two playback positions.
 */
export async function waitForLivePlayback(
  page: Page,
  seconds: number,
  timeoutMs = 30_000,
): Promise<{ from: number; to: number; debug: LiveDebug }> {
  const read = () => page.evaluate(() => (window as Window & { __cookimLive?: { currentTime: number } }).__cookimLive?.currentTime ?? 0);
  await page.waitForFunction(() => ((window as Window & { __cookimLive?: { currentTime: number } }).__cookimLive?.currentTime ?? 0) > 0, null, {
    timeout: timeoutMs,
    polling: 200,
  });
  const from = await read();
  await page.waitForFunction(
    (target) => ((window as Window & { __cookimLive?: { currentTime: number } }).__cookimLive?.currentTime ?? 0) >= target,
    from + seconds,
    { timeout: timeoutMs, polling: 200 },
  );
  const debug = await liveDebug(page);
  assert.ok(debug, 'the viewer page exposes its debug hook');
  return { from, to: debug.currentTime, debug };
}

/** Opens an app link while signed out, signs in on the login screen it leads to, and lands back on the link. */
export async function signInThrough(page: Page, path: string, account: Account): Promise<void> {
  await page.goto(path);
  await page.waitForURL(/\/login/);
  await page.getByLabel('Email').fill(account.email);
  await page.getByLabel('Password').fill(account.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => url.pathname === path);
}
