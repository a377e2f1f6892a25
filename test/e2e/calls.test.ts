/**
 * Group video calls in the web client against the real server and its mediasoup workers (S18, S23):
 * two (then three) browser contexts with Chromium's fake camera and microphone. Alice calls the
 * group, Bob accepts on the incoming call screen, each decodes the other's video, muting shows on
 * the other side, both hang up and the "call ended" message with its duration is in the chat; a
 * phone joins a second call and the call view fits its screen.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page, WebSocketRoute } from 'playwright-core';
import { ensureMediasoupWorker } from '../../standins/mediasoup/ensureMediasoupWorker.mjs';
import { launchBrowser, openUser, phone, screenshot, type UserPage } from '../support/browser';
import { startServer, type RunningServer } from '../support/server';
import {
  callTile,
  createGroup,
  hasHorizontalScroll,
  joinPublicGroup,
  newAccount,
  openConversation,
  register,
  uidOf,
  waitForRemoteVideo,
} from '../support/userSteps';

interface CallStats {
  video: { framesDecoded: number; frameWidth: number }[];
  audio: { packetsReceived: number }[];
  recvState: string;
  sendState: string;
}

/** The receive transport's inbound-rtp numbers, through the debug hook (localStorage cookim.debug). */
async function callStats(page: Page): Promise<CallStats | null> {
  return page.evaluate(async () => {
    const hook = (window as unknown as { __cookimCall?: { stats(): Promise<unknown> | null } }).__cookimCall;
    return ((await hook?.stats()) ?? null) as CallStats | null;
  });
}

async function waitForDecodedVideo(page: Page, timeoutMs = 30_000): Promise<CallStats> {
  const deadline = Date.now() + timeoutMs;
  let last: CallStats | null = null;
  while (Date.now() < deadline) {
    last = await callStats(page);
    if (last?.video.some((v) => v.framesDecoded > 0)) return last;
    await page.waitForTimeout(300);
  }
  throw new Error(`no decoded video frames: ${JSON.stringify(last)}`);
}

/** CALL_E2E_DEBUG=1: the pages' console warnings and errors on stderr. */
function echoConsole(name: string, page: Page): void {
  if (!process.env.CALL_E2E_DEBUG) return;
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') process.stderr.write(`[${name}] ${message.type()}: ${message.text()}\n`);
  });
}

describe('web client: group video calls', () => {
  let server: RunningServer;
  let browser: Browser;
  let alice: UserPage;
  let bob: UserPage;
  let carol: UserPage;
  const aliceAccount = newAccount('Alice');
  const bobAccount = newAccount('Bob');
  const carolAccount = newAccount('Carol');
  const groupName = `Callers ${Date.now().toString(36)}`;
  let aliceUid = '';
  let bobUid = '';
  // Alice's websocket goes through the test, so it can be cut in the middle of a call
  let aliceOffline = false;
  const aliceSockets: { page: WebSocketRoute; server: WebSocketRoute }[] = [];

  before(async () => {
    process.env.MEDIASOUP_WORKER_BIN = await ensureMediasoupWorker({ log: (line) => process.stderr.write(`[mediasoup-worker] ${line}\n`) });
    const rtcPort = 20_000 + Math.floor(Math.random() * 400) * 50;
    [server, browser] = await Promise.all([
      startServer({ env: { RTC_PORT: String(rtcPort), CALL_RING_TIMEOUT: '45', COOKIM_CALL_DEBUG: '1' } }),
      launchBrowser(),
    ]);
    alice = await openUser(browser, server.url);
    bob = await openUser(browser, server.url);
    for (const [name, user] of [['alice', alice], ['bob', bob]] as const) {
      await user.context.addInitScript(() => localStorage.setItem('cookim.debug', '1'));
      user.context.setDefaultTimeout(20_000);
      echoConsole(name, user.page);
    }
    await alice.page.routeWebSocket(/\/socket\.io\//, (ws) => {
      if (aliceOffline) {
        void ws.close({ code: 1001, reason: 'test: offline' });
        return;
      }
      aliceSockets.push({ page: ws, server: ws.connectToServer() });
    });
    // ... and its long-polling fallback too
    await alice.page.route(/\/socket\.io\//, (route) => (aliceOffline ? route.abort('internetdisconnected') : route.continue()));
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('Alice and Bob are in a group', async () => {
    await register(alice.page, aliceAccount);
    await register(bob.page, bobAccount);
    await createGroup(alice.page, groupName);
    await joinPublicGroup(bob.page, groupName);
    aliceUid = await uidOf(alice.page);
    bobUid = await uidOf(bob.page);
  });

  test('Alice starts a video call; Bob accepts it from the incoming call screen', async () => {
    await alice.page.getByRole('button', { name: 'Start video call' }).click();
    await alice.page.getByTestId('call-view').waitFor();

    const incoming = bob.page.getByTestId('incoming-call');
    await incoming.waitFor();
    assert.equal(await incoming.getAttribute('data-kind'), 'video');
    assert.equal((await bob.page.getByTestId('incoming-caller').textContent())?.trim(), aliceAccount.nickname);
    // a group call is ignored, not declined
    await bob.page.getByRole('button', { name: 'Ignore' }).waitFor();
    await bob.page.waitForTimeout(400); // let the entrance transition finish
    await screenshot(bob.page, 'desktop-call-incoming');
    await bob.page.getByRole('button', { name: 'Accept' }).click();
    await bob.page.getByTestId('call-view').waitFor();
    await incoming.waitFor({ state: 'detached' });

    // both sides end up in the call
    for (const page of [alice.page, bob.page]) {
      await page.locator('[data-testid="call-view"][data-phase="in-call"]').waitFor({ timeout: 30_000 });
    }
    // the group chat shows the call banner to nobody in the call, and the "started" announcement
    await alice.page.locator('[data-testid="call-message"][data-call-event="started"]').first().waitFor();
  });

  test('each decodes the other’s video', async () => {
    const atBob = await waitForRemoteVideo(bob.page, aliceUid);
    const atAlice = await waitForRemoteVideo(alice.page, bobUid);
    assert.ok(atBob.width > 0 && atAlice.width > 0);
    const [bobStats, aliceStats] = await Promise.all([waitForDecodedVideo(bob.page), waitForDecodedVideo(alice.page)]);
    assert.ok(bobStats.video.some((v) => v.framesDecoded > 0), `Bob decodes: ${JSON.stringify(bobStats)}`);
    assert.ok(aliceStats.video.some((v) => v.framesDecoded > 0), `Alice decodes: ${JSON.stringify(aliceStats)}`);
    // remote audio arrives too, each track in its own <audio> element that plays
    await bob.page.waitForFunction(
      (uid) => {
        const audio = document.querySelector<HTMLAudioElement>(`[data-testid="call-audio"][data-uid="${uid}"]`);
        return !!audio && !!audio.srcObject && !audio.paused;
      },
      aliceUid,
      { timeout: 15_000 },
    );
    await alice.page.waitForTimeout(500);
    await screenshot(alice.page, 'desktop-call-view');
    await screenshot(bob.page, 'desktop-call-view-bob');
  });

  test('muting shows on the other side, and someone is highlighted as the active speaker', async () => {
    // Chromium's fake microphone beeps: the router's active speaker observer picks someone. It only
    // reports changes (and the join answer does not say who speaks), so the highlight may show on
    // Alice's side only, when she was the dominant speaker before Bob joined.
    const speaking = (page: Page) => page.locator('[data-testid="call-tile"][data-speaking="true"]').first().waitFor({ timeout: 25_000 });
    await Promise.any([speaking(alice.page), speaking(bob.page)]);

    assert.equal(await callTile(bob.page, aliceUid).getByTestId('tile-muted').count(), 0);
    await alice.page.getByRole('button', { name: 'Mute microphone' }).click();
    await alice.page.getByRole('button', { name: 'Unmute microphone' }).waitFor();
    await callTile(bob.page, aliceUid).getByTestId('tile-muted').waitFor();
    // her own tile says so too
    await alice.page.locator('[data-testid="call-tile"][data-local="true"] [data-testid="tile-muted"]').waitFor();

    await alice.page.getByRole('button', { name: 'Unmute microphone' }).click();
    await callTile(bob.page, aliceUid).getByTestId('tile-muted').waitFor({ state: 'detached' });

    // camera off: Bob sees her avatar instead of the video, then the video again
    await alice.page.getByRole('button', { name: 'Turn camera off' }).click();
    await callTile(bob.page, aliceUid).locator('video').waitFor({ state: 'hidden' });
    await alice.page.getByRole('button', { name: 'Turn camera on' }).click();
    await callTile(bob.page, aliceUid).locator('video').waitFor({ state: 'visible' });
    await waitForRemoteVideo(bob.page, aliceUid);
  });

  test('a network change restarts ICE; a dropped connection rejoins the call', async () => {
    // the browser's `online` event: ICE restarts on both transports, the media keeps flowing
    const before = await waitForRemoteVideo(bob.page, aliceUid);
    await alice.page.evaluate(() => window.dispatchEvent(new Event('online')));
    await alice.page.waitForTimeout(1500);
    await bob.page.waitForFunction(
      ({ uid, frames }) => {
        const video = document.querySelector<HTMLVideoElement>(`[data-testid="call-tile"][data-uid="${uid}"][data-source="camera"] video`);
        return !!video && video.getVideoPlaybackQuality().totalVideoFrames > frames;
      },
      { uid: aliceUid, frames: before.frames },
    );
    assert.equal(await alice.page.getByTestId('call-view').getAttribute('data-phase'), 'in-call');

    // the socket drops: the server takes Alice out of the call; she comes back by herself
    const consumerBefore = await callTile(bob.page, aliceUid).getAttribute('data-consumer');
    assert.ok(consumerBefore);
    aliceOffline = true;
    for (const ws of aliceSockets.splice(0)) {
      await ws.server.close({ code: 1001, reason: 'test: offline' });
      await ws.page.close({ code: 1001, reason: 'test: offline' });
    }
    await alice.page.locator('[data-testid="call-view"][data-phase="reconnecting"]').waitFor();
    await alice.page.waitForTimeout(1500);
    aliceOffline = false;
    await alice.page.locator('[data-testid="call-view"][data-phase="in-call"]').waitFor({ timeout: 30_000 });
    // Bob receives her media anew (a new consumer) and decodes it
    await bob.page.waitForFunction(
      ({ uid, before }) => {
        const tile = document.querySelector(`[data-testid="call-tile"][data-uid="${uid}"][data-source="camera"]`);
        const consumer = tile?.getAttribute('data-consumer');
        return !!consumer && consumer !== before;
      },
      { uid: aliceUid, before: consumerBefore },
      { timeout: 30_000 },
    );
    await waitForRemoteVideo(bob.page, aliceUid);
    await waitForRemoteVideo(alice.page, bobUid);
  });

  test('both hang up; the call-ended message with its duration is in the chat on both sides', async () => {
    await alice.page.getByRole('button', { name: 'Hang up' }).click();
    await alice.page.getByTestId('call-ended').waitFor();
    // Bob is alone now; Alice's tile goes away
    await callTile(bob.page, aliceUid).waitFor({ state: 'detached' });
    await bob.page.getByRole('button', { name: 'Hang up' }).click();
    await bob.page.getByTestId('call-view').waitFor({ state: 'detached', timeout: 10_000 });
    await alice.page.getByTestId('call-view').waitFor({ state: 'detached', timeout: 10_000 });

    for (const page of [alice.page, bob.page]) {
      const ended = page.locator('[data-testid="call-message"][data-call-event="ended"]');
      await ended.first().waitFor();
      assert.match((await ended.first().getByTestId('call-message-text').textContent()) ?? '', /^Video call ended · \d+:\d{2}$/);
      // no call is going on any more: no join banner, the call buttons work again
      assert.equal(await page.getByTestId('call-banner').count(), 0);
      assert.ok(await page.getByRole('button', { name: 'Start video call' }).isEnabled());
    }
    await screenshot(bob.page, 'desktop-chat-call-messages');
    assert.deepEqual(alice.pageErrors, []);
    assert.deepEqual(bob.pageErrors, []);
  });

  test('on a phone: the incoming call and the call view fit the screen', async () => {
    carol = await openUser(browser, server.url, phone);
    await carol.context.addInitScript(() => localStorage.setItem('cookim.debug', '1'));
    carol.context.setDefaultTimeout(20_000);
    echoConsole('carol', carol.page);
    await register(carol.page, carolAccount);
    await joinPublicGroup(carol.page, groupName);

    await alice.page.getByRole('button', { name: 'Start video call' }).click();
    await alice.page.getByTestId('call-view').waitFor();

    await carol.page.getByTestId('incoming-call').waitFor();
    await carol.page.waitForTimeout(400);
    await screenshot(carol.page, 'phone-call-incoming');
    assert.equal(await hasHorizontalScroll(carol.page), false);
    // Bob ignores it: only his ringing stops
    await bob.page.getByRole('button', { name: 'Ignore' }).click();
    await bob.page.getByTestId('incoming-call').waitFor({ state: 'detached' });
    // ... and can still join from the banner in the chat
    await openConversation(bob.page, groupName);
    await bob.page.getByTestId('call-banner').waitFor();

    await carol.page.getByRole('button', { name: 'Accept' }).tap();
    await carol.page.locator('[data-testid="call-view"][data-phase="in-call"]').waitFor({ timeout: 30_000 });
    await waitForRemoteVideo(carol.page, aliceUid);
    await carol.page.waitForTimeout(500);
    await screenshot(carol.page, 'phone-call-view');

    assert.equal(await hasHorizontalScroll(carol.page), false, 'no horizontal scroll on the phone');
    const viewport = carol.page.viewportSize()!;
    const view = await carol.page.getByTestId('call-view').boundingBox();
    assert.ok(view && view.width <= viewport.width + 0.5 && view.height <= viewport.height + 0.5, `call view ${JSON.stringify(view)} fits ${JSON.stringify(viewport)}`);
    const buttons = carol.page.getByTestId('call-controls').getByRole('button');
    const count = await buttons.count();
    assert.ok(count >= 3, `controls: ${count}`);
    for (let i = 0; i < count; i++) {
      const box = await buttons.nth(i).boundingBox();
      assert.ok(box && box.width >= 44 && box.height >= 44, `control ${i} is ${JSON.stringify(box)}`);
      assert.ok(box.x >= 0 && box.x + box.width <= viewport.width && box.y + box.height <= viewport.height, `control ${i} on screen`);
    }
    // no screen sharing on a touch phone
    assert.equal(await carol.page.getByRole('button', { name: 'Share your screen' }).count(), 0);

    await carol.page.getByRole('button', { name: 'Hang up' }).tap();
    await alice.page.getByRole('button', { name: 'Hang up' }).click();
    await carol.page.locator('[data-testid="call-message"][data-call-event="ended"]').first().waitFor();
    assert.deepEqual(carol.pageErrors, []);
  });

  test('a private voice call: declined, then answered; hanging up ends it for both', async () => {
    // a private conversation, made through the API with Alice's token
    const sessionid = await alice.page.evaluate(async (uid) => {
      const token = JSON.parse(localStorage.getItem('cookim.token') ?? 'null') as string;
      const res = await fetch('/api/sessions/private', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
        body: JSON.stringify({ uid }),
      });
      return ((await res.json()) as { session: { sessionid: string } }).session.sessionid;
    }, bobUid);
    await alice.page.goto(`/c/${sessionid}`);
    await alice.page.getByTestId('chat-title').filter({ hasText: bobAccount.nickname }).waitFor();
    await bob.page.goto(`/c/${sessionid}`);
    await bob.page.getByTestId('chat-title').filter({ hasText: aliceAccount.nickname }).waitFor();

    await alice.page.getByRole('button', { name: 'Start voice call' }).click();
    const incoming = bob.page.getByTestId('incoming-call');
    await incoming.waitFor();
    assert.equal(await incoming.getAttribute('data-kind'), 'voice');
    // a private call is declined, and the caller hears of it
    await bob.page.getByRole('button', { name: 'Decline' }).click();
    await alice.page.getByTestId('call-ended').filter({ hasText: 'Call declined' }).waitFor();
    await alice.page.locator('[data-testid="call-message"][data-call-event="declined"]').first().waitFor();
    await alice.page.getByTestId('call-view').waitFor({ state: 'detached' });

    // again, and Bob answers: a voice call shows avatars, no camera button
    await alice.page.getByRole('button', { name: 'Start voice call' }).click();
    await bob.page.getByRole('button', { name: 'Accept' }).click();
    for (const page of [alice.page, bob.page]) await page.locator('[data-testid="call-view"][data-phase="in-call"]').waitFor({ timeout: 30_000 });
    await bob.page.waitForFunction(
      (uid) => {
        const audio = document.querySelector<HTMLAudioElement>(`[data-testid="call-audio"][data-uid="${uid}"]`);
        return !!audio && !!audio.srcObject && !audio.paused;
      },
      aliceUid,
      { timeout: 15_000 },
    );
    assert.equal(await bob.page.getByRole('button', { name: 'Turn camera off' }).count(), 0);
    await bob.page.waitForTimeout(300);
    await screenshot(bob.page, 'desktop-voice-call-view');

    // Bob hangs up: in a private call that ends it for Alice too
    await bob.page.getByRole('button', { name: 'Hang up' }).click();
    await alice.page.getByTestId('call-view').waitFor({ state: 'detached', timeout: 10_000 });
    for (const page of [alice.page, bob.page]) {
      const ended = page.locator('[data-testid="call-message"][data-call-event="ended"]');
      await ended.first().waitFor();
      assert.match((await ended.first().getByTestId('call-message-text').textContent()) ?? '', /^Voice call ended · \d+:\d{2}$/);
    }
  });
});
