/**
 * Call recording in the web client (issue 15): Alice (desktop, English) and Bei (phone, Chinese) in
 * a group video call. Alice records; both see the REC indicator with its time and the chat line
 * that says who started it; Bei stops it from his phone; the video message appears in the chat on
 * both sides and plays.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Locator, Page } from 'playwright-core';
import { ensureMediasoupWorker } from '../../standins/mediasoup/ensureMediasoupWorker.mjs';
import { desktop, launchBrowser, openUser, phone, screenshot, type UserPage } from '../support/browser';
import { startServer, type RunningServer } from '../support/server';
import { createGroup, fileMessages, hasHorizontalScroll, newAccount, register, uidOf, waitForRemoteVideo } from '../support/userSteps';

/** Registers through the Chinese form (the labels of the zh-CN catalogue). */
async function registerInChinese(page: Page, account: ReturnType<typeof newAccount>): Promise<void> {
  await page.goto('/register');
  await page.getByLabel('邮箱').fill(account.email);
  await page.getByLabel('昵称').fill(account.nickname);
  await page.getByLabel('密码', { exact: true }).fill(account.password);
  await page.getByRole('button', { name: '注册' }).click();
  await page.getByRole('heading', { name: '聊天' }).waitFor();
}

/** Joins a group through the API with the page's own token (the discover page's labels are not under test here). */
async function joinByApi(page: Page, sessionid: string): Promise<void> {
  const status = await page.evaluate(async (id) => {
    const token = JSON.parse(localStorage.getItem('cookim.token') ?? 'null') as string;
    const res = await fetch(`/api/sessions/${id}/join`, { method: 'POST', headers: { Authorization: `Bearer ${token}` } });
    return res.status;
  }, sessionid);
  assert.equal(status, 200);
}

/** Plays a video message's player (muted) and answers how far its time advanced. */
async function playFor(player: Locator, ms: number): Promise<{ start: number; now: number; error: string | null; duration: number }> {
  await player.scrollIntoViewIfNeeded();
  const handle = await player.elementHandle();
  await player.page().waitForFunction((el) => (el as HTMLVideoElement).readyState >= 1, handle, { timeout: 20_000 });
  return player.evaluate(async (el: HTMLVideoElement, wait) => {
    el.muted = true;
    el.currentTime = 0;
    await el.play();
    const start = el.currentTime;
    await new Promise((resolve) => setTimeout(resolve, wait));
    const now = el.currentTime;
    el.pause();
    return { start, now, error: el.error?.message ?? null, duration: el.duration };
  }, ms);
}

describe('web client: recording a call', () => {
  let server: RunningServer;
  let browser: Browser;
  let alice: UserPage;
  let bei: UserPage;
  const aliceAccount = newAccount('Alice');
  const beiAccount = newAccount('Bei');
  const groupName = `Recorded ${Date.now().toString(36)}`;
  let sessionid = '';
  let aliceUid = '';
  let beiUid = '';

  before(async () => {
    process.env.MEDIASOUP_WORKER_BIN = await ensureMediasoupWorker({ log: (line) => process.stderr.write(`[mediasoup-worker] ${line}\n`) });
    const rtcPort = 20_000 + Math.floor(Math.random() * 400) * 50;
    [server, browser] = await Promise.all([
      startServer({ env: { RTC_PORT: String(rtcPort), CALL_RING_TIMEOUT: '45', COOKIM_CALL_DEBUG: '1' } }),
      launchBrowser(),
    ]);
    alice = await openUser(browser, server.url, desktop);
    bei = await openUser(browser, server.url, { ...phone, locale: 'zh-CN' });
    for (const user of [alice, bei]) {
      await user.context.addInitScript(() => localStorage.setItem('cookim.debug', '1'));
      user.context.setDefaultTimeout(20_000);
    }
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('Alice (desktop, English) and Bei (phone, Chinese) are in a video call', { timeout: 120_000 }, async () => {
    await register(alice.page, aliceAccount);
    await registerInChinese(bei.page, beiAccount);
    sessionid = await createGroup(alice.page, groupName);
    await joinByApi(bei.page, sessionid);
    aliceUid = await uidOf(alice.page);
    beiUid = await uidOf(bei.page);
    await bei.page.goto(`/c/${sessionid}`);
    await bei.page.getByTestId('chat-title').filter({ hasText: groupName }).waitFor();

    await alice.page.getByRole('button', { name: 'Start video call' }).click();
    await alice.page.getByTestId('call-view').waitFor();
    await bei.page.getByTestId('call-accept').tap();
    for (const page of [alice.page, bei.page]) await page.locator('[data-testid="call-view"][data-phase="in-call"]').waitFor({ timeout: 30_000 });
    await waitForRemoteVideo(alice.page, beiUid);
    await waitForRemoteVideo(bei.page, aliceUid);
  });

  test('Alice records: both see REC with the time running, in their own language', { timeout: 60_000 }, async () => {
    assert.equal(await alice.page.getByTestId('call-rec').count(), 0);
    const record = alice.page.getByRole('button', { name: 'Start recording the call' });
    await record.click();
    await alice.page.getByRole('button', { name: 'Stop recording' }).waitFor();
    for (const page of [alice.page, bei.page]) await page.getByTestId('call-rec').waitFor();
    assert.match((await alice.page.getByTestId('call-rec').textContent()) ?? '', /REC/);
    assert.match((await bei.page.getByTestId('call-rec').textContent()) ?? '', /录制中/);
    // Bei's control says "stop" in Chinese now
    await bei.page.getByRole('button', { name: '停止录制' }).waitFor();
    // the elapsed time runs
    await bei.page.getByTestId('call-rec-time').filter({ hasText: /^0:0[2-9]$/ }).waitFor({ timeout: 15_000 });
    await screenshot(alice.page, 'desktop-call-recording');
    await screenshot(bei.page, 'phone-call-recording-zh-CN');
    // the phone's controls (Record included) fit its screen
    assert.equal(await hasHorizontalScroll(bei.page), false);
    const viewport = bei.page.viewportSize()!;
    const box = await bei.page.getByTestId('call-record').boundingBox();
    assert.ok(box && box.width >= 44 && box.x >= 0 && box.x + box.width <= viewport.width && box.y + box.height <= viewport.height, `record button ${JSON.stringify(box)} on screen`);
    const rec = await bei.page.getByTestId('call-rec').boundingBox();
    assert.ok(rec && rec.x >= 0 && rec.x + rec.width <= viewport.width, `REC ${JSON.stringify(rec)} on screen`);
  });

  test('Bei stops it from his phone; the video message appears in the chat and plays on both sides', { timeout: 150_000 }, async () => {
    await bei.page.waitForTimeout(3000);
    await bei.page.getByRole('button', { name: '停止录制' }).tap();
    for (const page of [alice.page, bei.page]) await page.getByTestId('call-rec').waitFor({ state: 'detached' });
    await alice.page.getByRole('button', { name: 'Start recording the call' }).waitFor();

    await alice.page.getByRole('button', { name: 'Hang up' }).click();
    await bei.page.locator('[data-testid="call-view"] [data-testid="call-hangup"]').tap();
    for (const user of [alice, bei]) {
      await user.page.getByTestId('call-view').waitFor({ state: 'detached', timeout: 15_000 }).catch(async () => {
        // the ended screen of whoever was left alone
        await user.page.getByTestId('call-view').getByRole('button').last().click();
      });
    }

    // the chat line says who started it, in each one's language
    await alice.page.locator('[data-testid="call-message"][data-call-event="recording"]').filter({ hasText: 'You started recording the call' }).first().waitFor();
    await bei.page
      .locator('[data-testid="call-message"][data-call-event="recording"]')
      .filter({ hasText: `${aliceAccount.nickname} 开始录制通话` })
      .first()
      .waitFor();

    for (const user of [alice, bei]) {
      const message = fileMessages(user.page, 3).first();
      await message.waitFor({ timeout: 90_000 });
      const player = message.getByTestId('video-player');
      await player.waitFor({ timeout: 20_000 });
      const played = await playFor(player, 1200);
      assert.equal(played.error, null);
      assert.ok(played.duration > 3, `the recording lasts ${played.duration} s`);
      assert.ok(played.now > played.start + 0.3, `playback advanced from ${played.start} to ${played.now}`);
    }
    await screenshot(alice.page, 'desktop-call-recording-message');
    await screenshot(bei.page, 'phone-call-recording-message-zh-CN');
    assert.deepEqual(alice.pageErrors, []);
    assert.deepEqual(bei.pageErrors, []);
  });
});
