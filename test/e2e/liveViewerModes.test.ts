/**
 * The viewer's three playing modes (S27) in Chromium against the real server, mediasoup and ffmpeg
 * (LL-HLS on, one real-time place per stream): Bob (desktop, English) plays in real time, then
 * picks LL-HLS on the mode pill with the keyboard and classic HLS with the mouse; each time the
 * video plays on (frames decoded, currentTime advancing) and the pill names the mode with a delay in
 * its range. His choice stays for the session (a reload plays HLS again). Carol (phone, Chinese)
 * finds the real-time place taken and falls back to LL-HLS by herself; once Bob has left real time
 * she picks it on the pill. On a server with real time off, Dave (phone, English), who chose real
 * time earlier in the session, plays LL-HLS.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { desktop, phone, screenshot, type UserPage } from '../support/browser';
import { startLiveViewing, type LiveViewing } from '../support/liveViewing';
import { newAccount, register, waitForLiveDelay, waitForLivePlayback } from '../support/userSteps';
import { waitFor } from '../support/wait';

/** The pill's delay readout per mode on this machine (seconds): real time under 1, LL-HLS under 4. */
const RANGE = { rtc: [0, 1], llhls: [0, 4], hls: [1, 12] } as const;
type Mode = keyof typeof RANGE;

/** Frames the page's video has decoded so far (WebRTC and MSE alike). */
function framesDecoded(page: Page): Promise<number> {
  return page.evaluate(() => document.querySelector<HTMLVideoElement>('[data-testid="live-video"]')?.getVideoPlaybackQuality().totalVideoFrames ?? 0);
}

/** The page plays `mode` (frames decoded go up, currentTime advances) and its pill names it with a delay in range. */
async function expectPlaying(page: Page, mode: Mode, name: string): Promise<number> {
  await page.locator(`[data-testid="live-mode"][data-mode="${mode}"]`).waitFor({ timeout: 45_000 });
  await waitForLivePlayback(page, 0.2, 45_000);
  const frames = await framesDecoded(page);
  const played = await waitForLivePlayback(page, 1, 45_000);
  assert.equal(played.debug.mode, mode);
  // over time, not over currentTime: a jump to the live edge advances currentTime at once
  await waitFor(`${mode}: frames decoded go up`, async () => (await framesDecoded(page)) > frames, 10_000);
  const pill = page.getByTestId('live-mode');
  await pill.filter({ hasText: name }).waitFor();
  // the readout belongs to the mode that plays (it is reset on a switch)
  const latency = page.locator(`[data-testid="live-latency"][data-mode="${mode}"]`);
  await waitForLiveDelay(page, latency);
  const [low, high] = RANGE[mode];
  // hls.js settles on its target within a few seconds of a switch
  let seconds = NaN;
  for (let i = 0; i < 20; i++) {
    seconds = Number(await latency.getAttribute('data-seconds'));
    if (seconds > low && seconds < high) break;
    await page.waitForTimeout(500);
  }
  assert.ok(seconds > low && seconds < high, `${mode} delay ${seconds} s, expected between ${low} and ${high}`);
  process.stderr.write(`${mode} in Chromium: the pill reads ${seconds.toFixed(3)} s\n`);
  return seconds;
}

describe('web client: real-time, LL-HLS and HLS viewing modes', () => {
  let setting: LiveViewing;
  let bob: UserPage;
  let carol: UserPage;
  let streamid = '';

  before(async () => {
    setting = await startLiveViewing({ LIVE_WEBRTC_VIEWERS: '1', LIVE_LLHLS: '1' }, [desktop, phone]);
    [bob, carol] = setting.viewers as [UserPage, UserPage];
  });

  after(async () => {
    await setting?.close();
  });

  test('a publisher goes live with LL-HLS', async () => {
    const stream = await setting.publish({ visibility: 'public' });
    streamid = stream.streamid;
    assert.ok(stream.llHlsUrl, 'the stream offers a low-latency playlist');
    await Promise.all([register(bob.page, newAccount('Bob')), register(carol.page, newAccount('Carol'))]);
    await carol.page.evaluate(() => localStorage.setItem('cookim.locale', 'zh-CN'));
  });

  test('Bob (desktop, English) plays in real time, then picks LL-HLS with the keyboard', async () => {
    const { page } = bob;
    await page.goto(`/live/${streamid}`);
    await expectPlaying(page, 'rtc', 'Real-time');
    await screenshot(page, 'live-modes-realtime-desktop-en');

    const pill = page.getByTestId('live-mode');
    await pill.focus();
    await page.keyboard.press('Enter');
    const menu = page.getByRole('menu', { name: 'Playing mode' });
    await menu.waitFor();
    assert.equal(await pill.getAttribute('aria-expanded'), 'true');
    // the current mode has the focus; the next one down is LL-HLS
    const focused = () => page.evaluate(() => `${document.activeElement?.getAttribute('role')}:${(document.activeElement as HTMLElement | null)?.dataset.mode}`);
    assert.equal(await focused(), 'menuitemradio:rtc');
    await screenshot(page, 'live-modes-menu-desktop-en');
    await page.keyboard.press('ArrowDown');
    assert.equal(await focused(), 'menuitemradio:llhls');
    await page.keyboard.press('Enter');
    await menu.waitFor({ state: 'detached' });
    await expectPlaying(page, 'llhls', 'LL-HLS');
    assert.equal((await waitForLivePlayback(page, 0.5)).debug.player, 'hls.js');
    await screenshot(page, 'live-modes-llhls-desktop-en');
  });

  test('Carol (phone, Chinese) finds real time taken by someone and falls back to LL-HLS by herself', async () => {
    // Bob's place is given back when he leaves real time: take it again for him first
    const { page } = bob;
    await page.getByTestId('live-mode').click();
    await page.getByRole('menuitemradio', { name: /Real-time/ }).click();
    await expectPlaying(page, 'rtc', 'Real-time');

    await carol.page.goto(`/live/${streamid}`);
    await expectPlaying(carol.page, 'llhls', '低延迟 HLS');
    await carol.page.getByTestId('live-mode').click();
    // real time is full: shown, but not offered
    assert.equal(await carol.page.locator('[role="menuitemradio"][data-mode="rtc"]').isDisabled(), true);
    const current = carol.page.locator('[role="menuitemradio"][aria-checked="true"]');
    assert.equal(await current.getAttribute('data-mode'), 'llhls');
    assert.match(await current.innerText(), /低延迟 HLS/);
    await screenshot(carol.page, 'live-modes-fallback-llhls-phone-zh');
    await carol.page.keyboard.press('Escape');
  });

  test('Bob picks classic HLS with the mouse; the choice stays for the session', async () => {
    const { page } = bob;
    await page.getByTestId('live-mode').click();
    await page.getByRole('menuitemradio', { name: /^HLS/ }).click();
    await expectPlaying(page, 'hls', 'HLS');
    await screenshot(page, 'live-modes-hls-desktop-en');
    await page.reload();
    await expectPlaying(page, 'hls', 'HLS');
  });

  test('Carol picks real time once the place is free', async () => {
    const { page } = carol;
    // Bob's real-time place went back when he left it; the stream says so in its next view
    await page.waitForFunction(() => (window as Window & { __cookimLive?: { available: string[] } }).__cookimLive?.available.includes('rtc'), null, {
      timeout: 30_000,
      polling: 500,
    });
    await page.getByTestId('live-mode').click();
    const rtc = page.locator('[role="menuitemradio"][data-mode="rtc"]');
    assert.match(await rtc.innerText(), /实时/);
    await rtc.click();
    await expectPlaying(page, 'rtc', '实时');
    await screenshot(page, 'live-modes-realtime-phone-zh');
  });
});

describe('web client: real time off on the server (LIVE_WEBRTC_VIEWERS=0)', () => {
  let setting: LiveViewing;
  let dave: UserPage;

  before(async () => {
    setting = await startLiveViewing({ LIVE_WEBRTC_VIEWERS: '0', LIVE_LLHLS: '1' }, [phone]);
    [dave] = setting.viewers as [UserPage];
    // he chose real time earlier in this session: it is not offered here, the page plays LL-HLS
    await dave.context.addInitScript(() => sessionStorage.setItem('cookim.liveMode', 'rtc'));
  });

  after(async () => {
    await setting?.close();
  });

  test('Dave (phone, English) who prefers real time plays LL-HLS, real time shown as not offered', async () => {
    const { streamid } = await setting.publish({ title: 'No real time', visibility: 'public' });
    await register(dave.page, newAccount('Dave'));
    await dave.page.goto(`/live/${streamid}`);
    await expectPlaying(dave.page, 'llhls', 'LL-HLS');
    await dave.page.getByTestId('live-mode').click();
    const rtc = dave.page.locator('[role="menuitemradio"][data-mode="rtc"]');
    assert.equal(await rtc.isDisabled(), true);
    assert.match(await rtc.innerText(), /Not offered/);
    await screenshot(dave.page, 'live-modes-no-realtime-phone-en');
  });
});
