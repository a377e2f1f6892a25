/**
 * How the viewer page plays a live stream (S27), in Chromium against the real server, mediasoup and
 * ffmpeg: a Node publisher goes live (public); Bob (desktop, English) watches in real time over
 * WebRTC, the page says "Real-time" and a delay in milliseconds; with LIVE_WEBRTC_VIEWERS=1 the one
 * place is his, so Carol (phone) is refused real time and her page plays HLS by itself,
 * saying so, with its delay in seconds. LL-HLS is off here, so the fallback is classic HLS (the
 * fallback to LL-HLS and choosing a mode: liveViewerModes.test.ts).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { desktop, phone, screenshot, type UserPage } from '../support/browser';
import { startLiveViewing, type LiveViewing } from '../support/liveViewing';
import { newAccount, register, waitForLiveDelay, waitForLivePlayback } from '../support/userSteps';
import { waitFor } from '../support/wait';

describe('web client: real-time and HLS viewing', () => {
  let setting: LiveViewing;
  let bob: UserPage;
  let carol: UserPage;
  let streamid = '';

  before(async () => {
    setting = await startLiveViewing({ LIVE_WEBRTC_VIEWERS: '1', LIVE_LLHLS: '0' }, [desktop, phone]);
    [bob, carol] = setting.viewers as [UserPage, UserPage];
  });

  after(async () => {
    await setting?.close();
  });

  test('a publisher goes live', async () => {
    streamid = (await setting.publish()).streamid;
    await Promise.all([register(bob.page, newAccount('Bob')), register(carol.page, newAccount('Carol'))]);
  });

  test('Bob (desktop, English) watches in real time; the page shows the mode and a delay in ms', async () => {
    const { page } = bob;
    await page.goto(`/live/${streamid}`);
    const played = await waitForLivePlayback(page, 1, 45_000);
    assert.equal(played.debug.player, 'webrtc');
    assert.equal(played.debug.mode, 'rtc');
    await page.locator('[data-testid="live-mode"][data-mode="rtc"]').filter({ hasText: 'Real-time' }).waitFor();
    const latency = page.getByTestId('live-latency');
    await waitForLiveDelay(page, latency.filter({ hasText: /^\s*[\d,]+ ms behind\s*$/ }));
    const seconds = Number(await latency.getAttribute('data-seconds'));
    assert.ok(seconds > 0 && seconds < 1, `real-time delay ${seconds} s`);
    process.stderr.write(`real-time viewing in Chromium: estimated delay ${(seconds * 1000).toFixed(0)} ms\n`);
    await screenshot(page, 'live-mode-realtime-desktop-en');
  });

  test('Carol (phone) finds real time full and plays HLS by herself', async () => {
    const { page } = carol;
    await page.goto(`/live/${streamid}`);
    const played = await waitForLivePlayback(page, 1, 45_000);
    assert.equal(played.debug.player, 'hls.js');
    assert.equal(played.debug.mode, 'hls');
    await page.locator('[data-testid="live-mode"][data-mode="hls"]').filter({ hasText: 'HLS' }).waitFor();
    await page.getByTestId('live-latency').filter({ hasText: /[\d.]+ s behind/ }).waitFor();
    await screenshot(page, 'live-mode-hls-phone-en');
    // Bob still plays in real time
    assert.equal((await waitForLivePlayback(bob.page, 0.5)).debug.mode, 'rtc');
  });

  test("the stream's poster shows in the Live directory and as the video's poster, on desktop and phone", async () => {
    for (const [user, label] of [[bob, 'desktop'], [carol, 'phone']] as const) {
      const { page } = user;
      const poster = await page.getByTestId('live-video').getAttribute('poster');
      assert.match(poster ?? '', /\/poster\.jpg$/, `${label}: the video carries the stream's poster`);
      // the first poster is written a few seconds after the first segments
      const answer = await waitFor('the first poster', async () => {
        const got = await page.request.get(poster!);
        return got.status() === 200 ? got : undefined;
      }, 20_000);
      assert.equal(answer.headers()['content-type'], 'image/jpeg');
      await page.goto('/live');
      const item = page.locator(`[data-testid="live-stream-item"][data-streamid="${streamid}"]`);
      const img = item.locator('[data-testid="live-poster"][data-shown="true"] img');
      await img.waitFor({ timeout: 30_000 });
      await page.waitForFunction((el) => (el as HTMLImageElement).complete && (el as HTMLImageElement).naturalWidth > 0, await img.elementHandle(), { timeout: 30_000 });
      await screenshot(page, `live-directory-poster-${label}`);
    }
  });
});
