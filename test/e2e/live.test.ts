/**
 * Live streams in the web client against the real server, its mediasoup workers and ffmpeg (S19):
 * Alice (Chromium's fake camera) goes live in a group from the chat header; Bob, a member, sees the
 * announcement card, opens the viewer page and the video plays with hls.js; both see one viewer; a
 * phone signs in through the stream's link and the viewer page fits its screen; Bob keeps playing
 * across renewals of the short-lived HLS link (LIVE_HLS_URL_TTL); Alice stops and Bob sees the
 * ended stream.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page, WebSocketRoute } from 'playwright-core';
import { ensureMediasoupWorker } from '../../standins/mediasoup/ensureMediasoupWorker.mjs';
import { launchBrowser, openUser, phone, screenshot, type UserPage } from '../support/browser';
import { startServer, type RunningServer } from '../support/server';
import { createGroup, hasHorizontalScroll, joinPublicGroup, newAccount, register, signInThrough, waitForLivePlayback } from '../support/userSteps';

async function waitForCondition(ok: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** LIVE_E2E_DEBUG=1: the pages' console warnings and errors on stderr. */
function echoConsole(name: string, page: Page): void {
  if (!process.env.LIVE_E2E_DEBUG) return;
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') process.stderr.write(`[${name}] ${message.type()}: ${message.text()}\n`);
  });
}

const HLS_TTL = 15;

/** Bob's HLS requests, as the page made them: the signed folder and the answer's status. */
interface HlsRequest {
  at: number;
  file: string;
  folder: string;
  status: number;
}

describe('web client: live streams', () => {
  let server: RunningServer;
  let browser: Browser;
  let alice: UserPage;
  let bob: UserPage;
  let bobPhone: UserPage;
  const aliceAccount = newAccount('Alice');
  const bobAccount = newAccount('Bob');
  const groupName = `Streamers ${Date.now().toString(36)}`;
  const title = 'Cooking <b>live</b> 🍳';
  let streamid = '';
  // Alice's websocket goes through the test, so it can hand her page a server event
  let aliceSocket: WebSocketRoute | null = null;
  const bobHls: HlsRequest[] = [];

  before(async () => {
    process.env.MEDIASOUP_WORKER_BIN = await ensureMediasoupWorker({ log: (line) => process.stderr.write(`[mediasoup-worker] ${line}\n`) });
    const rtcPort = 20_000 + Math.floor(Math.random() * 400) * 50;
    // HLS links live 15 s: the viewer page renews them about every 8 s.
    [server, browser] = await Promise.all([startServer({ env: { RTC_PORT: String(rtcPort), LIVE_HLS_URL_TTL: String(HLS_TTL), LIVE_WEBRTC_VIEWERS: '0' } }), launchBrowser()]);
    alice = await openUser(browser, server.url);
    bob = await openUser(browser, server.url);
    bobPhone = await openUser(browser, server.url, phone);
    for (const [name, user] of [['alice', alice], ['bob', bob], ['bob-phone', bobPhone]] as const) {
      await user.context.addInitScript(() => localStorage.setItem('cookim.debug', '1'));
      user.context.setDefaultTimeout(20_000);
      echoConsole(name, user.page);
    }
    bob.page.on('response', (res) => {
      const m = /\/api\/live\/[^/]+\/hls\/([^/]+)\/(.+)$/.exec(new URL(res.url()).pathname);
      if (m) bobHls.push({ at: Date.now(), folder: m[1]!, file: m[2]!, status: res.status() });
    });
    await alice.page.routeWebSocket(/\/socket\.io\//, (ws) => {
      aliceSocket = ws;
      ws.connectToServer();
    });
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('Alice and Bob are in a group', async () => {
    await Promise.all([register(alice.page, aliceAccount), register(bob.page, bobAccount)]);
    await createGroup(alice.page, groupName);
    await joinPublicGroup(bob.page, groupName);
  });

  test('Alice goes live from the chat header', async () => {
    const { page } = alice;
    await page.getByRole('button', { name: 'Go live' }).click();
    const view = page.getByTestId('go-live-view');
    await view.waitFor();
    // the camera preview plays before anything is sent
    await page.waitForFunction(() => (document.querySelector<HTMLVideoElement>('[data-testid="live-preview"]')?.videoWidth ?? 0) > 0);
    await page.getByLabel('Title').fill(title);
    await page.getByTestId('go-live-start').click();
    await page.locator('[data-testid="go-live-view"][data-state="live"]').waitFor({ timeout: 45_000 });
    await page.getByTestId('live-elapsed').waitFor();
  });

  test('Bob sees the announcement, opens the viewer page, and the video plays with hls.js', async () => {
    const { page } = bob;
    const card = page.locator('[data-testid="live-message"][data-live-event="started"]');
    await card.waitFor();
    // the title is shown as text, never as markup
    assert.match((await card.getByTestId('live-message-text').textContent()) ?? '', /is live: Cooking <b>live<\/b>/);
    streamid = (await card.getAttribute('data-streamid')) ?? '';
    assert.ok(streamid, 'the card names its stream');
    await card.getByTestId('live-watch').click();
    await page.waitForURL(`**/live/${streamid}`);
    await page.getByTestId('live-view').waitFor();

    const played = await waitForLivePlayback(page, 1.2);
    assert.equal(played.debug.player, 'hls.js');
    assert.equal(played.debug.state, 'live');
    assert.ok(played.to - played.from > 1, `the video advanced ${played.to - played.from} s`);
    await page.getByTestId('live-latency').waitFor();

    // one viewer, on both sides
    await page.getByTestId('live-viewer-count').filter({ hasText: /^1 viewer$/ }).waitFor();
    await alice.page.locator('[data-testid="live-viewers"][data-viewers="1"]').waitFor();
    // the title as text (its emoji drawn as an image), no markup
    const heading = page.getByTestId('live-title');
    assert.equal((await heading.textContent())?.trim(), 'Cooking <b>live</b>');
    assert.equal(await heading.locator('img.emoji').getAttribute('alt'), '🍳');
    assert.equal(await heading.locator('b').count(), 0);
    // the stream's chat sits beside the video, with the group's messages
    await page.getByTestId('live-chat').getByTestId('composer-input').waitFor();
    await screenshot(alice.page, 'desktop-live-publisher');
    await screenshot(page, 'desktop-live-viewer');
  });

  test("Bob keeps playing across renewals of the short-lived HLS link: fresh folders, no refusal, no reload", async () => {
    const { page } = bob;
    const since = Date.now();
    // Past two lifetimes of a link: the folder Bob's player started with has expired meanwhile.
    await new Promise((r) => setTimeout(r, (HLS_TTL * 2 + 3) * 1000));
    // ...and the video still plays (how fast depends on the machine's load; that it goes on does not).
    await waitForLivePlayback(page, 1, 45_000);
    const seen = bobHls.filter((r) => r.at >= since);
    const folders = [...new Set(seen.map((r) => r.folder))];
    assert.ok(folders.length >= 3, `the playlist and segment requests moved to fresh folders (${folders.length} seen)`);
    assert.ok(seen.some((r) => /\.(ts|m4s)$/.test(r.file) && r.folder !== folders[0]), 'segments were loaded from a renewed folder');
    assert.deepEqual(seen.filter((r) => r.status >= 400), [], 'no HLS request was refused');
    assert.equal(seen.filter((r) => r.file === 'master.m3u8').length, 0, 'the player never started over (no master playlist reload)');
  });

  test('a poor uplink (the server scores the producer below 7) shows a warning on the publisher view', async () => {
    const { page } = alice;
    const warning = page.getByTestId('live-poor-uplink');
    assert.equal(await warning.count(), 0, 'the fake camera on loopback is a good uplink');
    // a Socket.IO event packet, as the server would send it
    const quality = (score: number) => aliceSocket!.send(`42${JSON.stringify(['live:quality', { streamid, kind: 'video', score }])}`);
    quality(4);
    await warning.waitFor();
    assert.match((await warning.textContent()) ?? '', /Poor connection.*quality 4\/10/);
    quality(10);
    await warning.waitFor({ state: 'detached' });
  });

  test('on a phone: the stream link signs in, plays, and fits the screen', async () => {
    const { page } = bobPhone;
    await signInThrough(page, `/live/${streamid}`, bobAccount);
    await page.getByTestId('live-view').waitFor();
    // the Live directory lists it too
    await page.goto('/');
    await page.getByRole('link', { name: 'Live streams' }).tap();
    const item = page.locator(`[data-testid="live-stream-item"][data-streamid="${streamid}"]`);
    await item.waitFor();
    assert.equal(await hasHorizontalScroll(page), false, 'the directory fits the phone');
    await screenshot(page, 'phone-live-directory');
    await item.tap();
    await page.getByTestId('live-view').waitFor();
    const played = await waitForLivePlayback(page, 0.5);
    assert.equal(played.debug.player, 'hls.js');
    await page.getByTestId('live-unmute').waitFor();
    assert.equal(await hasHorizontalScroll(page), false, 'no horizontal scroll on the phone');
    const box = await page.getByTestId('live-unmute').boundingBox();
    assert.ok(box && box.height >= 36, 'the unmute button is a real touch target');
    await screenshot(page, 'phone-live-viewer');
    await page.close();
  });

  test("the server's mediasoup workers die mid-stream: Alice's page sends again and Bob's video goes on", async () => {
    // Every mediasoup worker of the server process: whichever holds the stream, it is gone.
    const workers = readdirSync('/proc').filter((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1] === String(server.process.pid) && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('mediasoup-worker');
      } catch {
        return false;
      }
    });
    assert.ok(workers.length >= 1, 'the server runs mediasoup workers');
    for (const pid of workers) process.kill(Number(pid), 'SIGKILL');
    await waitForLivePlayback(bob.page, 2, 45_000);
    const state = await alice.page.locator('[data-testid="go-live-view"]').getAttribute('data-state');
    assert.equal(state, 'live', 'the stream did not end');
  });

  test("Alice's connection drops: her page resumes the stream when it reconnects and Bob's video goes on", async () => {
    const before = aliceSocket;
    assert.ok(before, "Alice's websocket is routed through the test");
    await before.close({ code: 4000, reason: 'network change' });
    await waitForCondition(() => aliceSocket !== before, 20_000);
    await waitForLivePlayback(bob.page, 2, 45_000);
    assert.equal(await alice.page.locator('[data-testid="go-live-view"]').getAttribute('data-state'), 'live');
  });

  test('Alice stops; Bob sees the stream ended and the camera is released', async () => {
    await alice.page.getByTestId('go-live-stop').click();
    await alice.page.locator('[data-testid="go-live-view"][data-state="ended"]').waitFor();
    const released = await alice.page.evaluate(() => {
      const video = document.querySelector<HTMLVideoElement>('[data-testid="live-preview"]');
      const tracks = (video?.srcObject as MediaStream | null)?.getTracks() ?? [];
      return tracks.every((t) => t.readyState === 'ended');
    });
    assert.ok(released, 'the camera tracks are stopped');

    const { page } = bob;
    await page.locator('[data-testid="live-view"][data-state="ended"]').waitFor({ timeout: 30_000 });
    await page.getByTestId('live-ended').waitFor();
    await page.locator('[data-testid="live-state"][data-state="ended"]').waitFor();
    // the chat beside it says so, with a link to the replay
    const ended = page.getByTestId('live-chat').locator('[data-testid="live-message"][data-live-event="ended"]');
    await ended.waitFor();
    assert.equal((await ended.getByTestId('live-watch').textContent())?.trim(), 'Replay');
    await screenshot(page, 'desktop-live-ended');
    assert.deepEqual(bob.pageErrors, []);
    assert.deepEqual(alice.pageErrors, []);
    assert.deepEqual([...alice.dialogs, ...bob.dialogs], []);
  });
});
