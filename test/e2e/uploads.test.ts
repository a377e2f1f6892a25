/**
 * File messages in the web client against the real server (S7, S9, S20, S23): an image picked in
 * the composer uploads with a visible progress bar and arrives as a thumbnail that opens full size;
 * a voice message recorded from Chromium's fake microphone plays on the other side; the same bytes
 * again are not uploaded twice (md5 lookup first); a plain file arrives as a download card; an
 * upload can be cancelled; a profile picture replaces the initials; and it all fits a phone.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { before, describe, test } from 'node:test';
import sharp from 'sharp';
import type { Page, Request, Route } from 'playwright-core';
import { openUser, phone, screenshot } from '../support/browser';
import { SuitePerson, usePeople } from '../support/suitePeople';
import {
  attachFiles,
  createGroup,
  fileMessages,
  hasHorizontalScroll,
  joinPublicGroup,
  login,
  openConversation,
  register,
  sendMessage,
  unlabelledInputs,
  waitForMessage,
} from '../support/userSteps';

const IMAGE_WIDTH = 900;
const IMAGE_HEIGHT = 600;

/** A real PNG of a few hundred KB: noise over a gradient does not compress away. */
async function makePng(seed: number): Promise<Buffer> {
  const pixels = Buffer.alloc(IMAGE_WIDTH * IMAGE_HEIGHT * 3);
  let state = seed >>> 0 || 1;
  for (let y = 0; y < IMAGE_HEIGHT; y++) {
    for (let x = 0; x < IMAGE_WIDTH; x++) {
      state = (state * 1664525 + 1013904223) >>> 0;
      const i = (y * IMAGE_WIDTH + x) * 3;
      pixels[i] = (x * 255) / IMAGE_WIDTH;
      pixels[i + 1] = (y * 200) / IMAGE_HEIGHT + (state & 0x1f);
      pixels[i + 2] = 160 + ((state >> 8) & 0x3f);
    }
  }
  return sharp(pixels, { raw: { width: IMAGE_WIDTH, height: IMAGE_HEIGHT, channels: 3 } }).png().toBuffer();
}

const md5 = (bytes: Buffer) => createHash('md5').update(bytes).digest('hex');
const isFileUpload = (request: Request) => request.method() === 'POST' && new URL(request.url()).pathname === '/api/files';
const uploadUrl = (url: URL) => url.pathname === '/api/files';

async function imageLoaded(page: Page, selector: string): Promise<{ naturalWidth: number; naturalHeight: number }> {
  const image = page.locator(selector).last();
  await image.waitFor();
  await page.waitForFunction(
    (el) => !!el && (el as HTMLImageElement).complete && (el as HTMLImageElement).naturalWidth > 0,
    await image.elementHandle(),
    { timeout: 10_000 },
  );
  return image.evaluate((img: HTMLImageElement) => ({ naturalWidth: img.naturalWidth, naturalHeight: img.naturalHeight }));
}

describe('web client: uploads, voice messages and avatars', () => {
  const alice = new SuitePerson('Alice');
  const bob = new SuitePerson('Bob');
  const groupName = `Trip photos ${Date.now().toString(36)}`;
  const suite = usePeople([alice, bob]);
  let png: Buffer;

  before(async () => {
    png = await makePng(Date.now());
  });

  test('both register and meet in one group', async () => {
    await register(alice.page, alice.account);
    await register(bob.page, bob.account);
    await createGroup(alice.page, groupName);
    await joinPublicGroup(bob.page, groupName);
    await sendMessage(alice.page, 'Look at this view');
    await waitForMessage(bob.page, 'Look at this view');
    assert.deepEqual(await unlabelledInputs(alice.page), []);
  });

  test('an image uploads with a progress bar; Bob sees the thumbnail and opens it full size', async () => {
    assert.ok(png.length > 200_000 && png.length < 3_000_000, `test image is ${png.length} bytes`);
    // hold the upload for a moment so the pending bubble with its progress bar is on screen
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let uploads = 0;
    await alice.page.route(uploadUrl, async (route: Route) => {
      if (route.request().method() !== 'POST') return route.fallback();
      uploads++;
      await held;
      await route.continue();
    });

    // the md5 is computed in a Web Worker, not on the page's thread
    const workers: string[] = [];
    alice.page.on('worker', (worker) => workers.push(worker.url()));
    await attachFiles(alice.page, [{ name: 'mountain view.png', mimeType: 'image/png', buffer: png }]);
    const progress = alice.page.getByTestId('upload-progress');
    await progress.and(alice.page.locator('[data-phase="uploading"]')).waitFor();
    assert.equal(await progress.getAttribute('role'), 'progressbar');
    // the local preview shows at once, and the upload can be cancelled from the bubble
    await alice.page.getByRole('button', { name: 'Cancel sending mountain view.png' }).waitFor();
    await screenshot(alice.page, 'desktop-upload-progress');
    release();
    await progress.waitFor({ state: 'detached', timeout: 20_000 });
    await alice.page.unroute(uploadUrl);
    assert.equal(uploads, 1);
    assert.ok(workers.some((url) => /md5\.worker/.test(url)), `md5 worker started: ${JSON.stringify(workers)}`);

    await fileMessages(alice.page, 1, { sent: true }).first().waitFor();
    const atBob = fileMessages(bob.page, 1).first();
    await atBob.waitFor();
    const thumb = await imageLoaded(bob.page, '[data-testid="message"][data-msgtype="1"] [data-testid="image-thumb"] img');
    assert.ok(thumb.naturalWidth > 0 && thumb.naturalWidth <= 256, `thumbnail is ${thumb.naturalWidth} px wide`);
    // the thumbnail's box was reserved at the image's aspect ratio
    const box = (await atBob.getByTestId('image-thumb').boundingBox())!;
    assert.ok(Math.abs(box.width / box.height - IMAGE_WIDTH / IMAGE_HEIGHT) < 0.05, `thumb box ${box.width}x${box.height}`);

    await atBob.getByTestId('image-thumb').click();
    const lightbox = bob.page.getByTestId('lightbox');
    await lightbox.waitFor();
    const full = await imageLoaded(bob.page, '[data-testid="lightbox-image"]');
    assert.deepEqual(full, { naturalWidth: IMAGE_WIDTH, naturalHeight: IMAGE_HEIGHT });
    await screenshot(bob.page, 'desktop-lightbox');
    await bob.page.keyboard.press('Escape');
    await lightbox.waitFor({ state: 'detached' });
    // a tap anywhere closes it too
    await atBob.getByTestId('image-thumb').click();
    await lightbox.waitFor();
    await bob.page.mouse.click(40, 400);
    await lightbox.waitFor({ state: 'detached' });
  });

  test('a voice message recorded from the microphone plays on the other side', async () => {
    const { page } = alice;
    await page.getByRole('button', { name: 'Record voice message' }).click();
    const indicator = page.getByTestId('recording-indicator');
    await indicator.and(page.locator('[data-state="recording"]')).waitFor();
    await page.waitForTimeout(1_600);
    assert.match((await indicator.textContent()) ?? '', /0:0[1-9]/);
    await screenshot(page, 'desktop-recording');
    await page.getByRole('button', { name: 'Send voice message' }).click();
    await indicator.waitFor({ state: 'detached' });
    await fileMessages(page, 2, { sent: true }).first().waitFor({ timeout: 20_000 });

    // the voice player's own <audio> has no controls of its own (VoicePlayer draws them): attached, not visible
    const audio = fileMessages(bob.page, 2).first().getByTestId('voice-audio');
    await audio.waitFor({ state: 'attached', timeout: 20_000 });
    const handle = await audio.elementHandle();
    await bob.page.waitForFunction(
      (el) => {
        const media = el as HTMLAudioElement;
        return media.readyState >= 1 && Number.isFinite(media.duration) && media.duration > 0;
      },
      handle,
      { timeout: 15_000 },
    );
    const duration = await audio.evaluate((el: HTMLAudioElement) => el.duration);
    assert.ok(duration > 0.8 && duration < 4, `voice message lasts ${duration} s`);
    const played = await audio.evaluate(async (el: HTMLAudioElement) => {
      el.muted = true;
      el.currentTime = 0;
      await el.play();
      const start = el.currentTime;
      await new Promise((resolve) => setTimeout(resolve, 700));
      const now = el.currentTime;
      el.pause();
      return { start, now, error: el.error?.message ?? null };
    });
    assert.equal(played.error, null);
    assert.ok(played.now > played.start + 0.2, `playback advanced from ${played.start} to ${played.now}`);
  });

  test('the same image again is not uploaded a second time', async () => {
    const { page } = alice;
    const posts: string[] = [];
    const lookups: string[] = [];
    const onRequest = (request: Request) => {
      if (isFileUpload(request)) posts.push(request.url());
      if (new URL(request.url()).pathname.startsWith('/api/files/by-md5/')) lookups.push(request.url());
    };
    page.on('request', onRequest);
    const before = await fileMessages(page, 1, { sent: true }).count();
    await attachFiles(page, [{ name: 'same view again.png', mimeType: 'image/png', buffer: png }]);
    await page.waitForFunction(
      (n) => document.querySelectorAll('[data-testid="message"][data-msgtype="1"][data-status="sent"]').length > n,
      before,
    );
    page.off('request', onRequest);
    assert.deepEqual(posts, [], 'no POST /api/files for bytes the server has');
    assert.equal(lookups.length, 1);
    assert.ok(lookups[0]!.endsWith(`/api/files/by-md5/${md5(png)}`), lookups[0]);
    await bob.page.waitForFunction(() => document.querySelectorAll('[data-testid="message"][data-msgtype="1"]').length >= 2);
    await imageLoaded(bob.page, '[data-testid="message"][data-msgtype="1"] [data-testid="image-thumb"] img');
  });

  test('a plain file arrives as a card with its name and size, and its link downloads', async () => {
    const text = Buffer.from(`Packing list\n${'- warm socks\n'.repeat(196)}`.slice(0, 2560));
    assert.equal(text.length, 2560);
    await attachFiles(alice.page, [{ name: 'packing list.txt', mimeType: 'text/plain', buffer: text }]);
    await fileMessages(alice.page, 4, { sent: true }).first().waitFor({ timeout: 20_000 });

    const card = fileMessages(bob.page, 4).first().getByTestId('file-card');
    await card.waitFor();
    assert.equal(await card.getByTestId('file-name').textContent(), 'packing list.txt');
    assert.equal(await card.getByTestId('file-size').textContent(), '2.5 KB');
    const href = await card.getAttribute('href');
    assert.ok(href, 'the card is a link');
    const response = await bob.page.request.get(href);
    assert.equal(response.status(), 200);
    assert.deepEqual(await response.body(), text);
    // clicking it downloads the file under its name
    const [download] = await Promise.all([bob.page.waitForEvent('download'), card.click()]);
    assert.equal(download.suggestedFilename(), 'packing list.txt');
    assert.equal(await download.failure(), null);
  });

  test('an upload can be cancelled before it is sent', async () => {
    const { page } = alice;
    const big = Buffer.alloc(3 * 1024 * 1024, 7);
    big.write(`cancel me ${Date.now()}`);
    let hung: Route | undefined;
    await page.route(uploadUrl, async (route) => {
      if (route.request().method() !== 'POST') return route.fallback();
      hung = route; // never answered: the upload stays in flight until cancelled
    });
    const sentBefore = await page.locator('[data-testid="message"]').count();
    await attachFiles(page, [{ name: 'big backup.bin', mimeType: 'application/octet-stream', buffer: big }]);
    await page.getByTestId('upload-progress').and(page.locator('[data-phase="uploading"]')).waitFor({ timeout: 20_000 });
    await page.getByRole('button', { name: 'Cancel sending big backup.bin' }).click();
    await page.getByTestId('upload-progress').waitFor({ state: 'detached' });
    assert.equal(await page.locator('[data-testid="message"]').count(), sentBefore);
    await page.unroute(uploadUrl);
    await hung?.abort().catch(() => undefined);
    // nothing reached Bob
    await bob.page.waitForTimeout(500);
    assert.equal(await bob.page.getByText('big backup.bin').count(), 0);
  });

  test('screenshots: the chat with an image, a voice message and a file card', async () => {
    await bob.page.getByTestId('message-list').evaluate((el) => (el.scrollTop = el.scrollHeight));
    await screenshot(alice.page, 'desktop-chat-files');
    await screenshot(bob.page, 'desktop-chat-files-bob');

    const phoneBob = await openUser(suite.browser, suite.server.url, phone);
    try {
      const { page } = phoneBob;
      await login(page, bob.account);
      await openConversation(page, groupName);
      await fileMessages(page, 4).first().waitFor();
      await imageLoaded(page, '[data-testid="message"][data-msgtype="1"] [data-testid="image-thumb"] img');
      await page.getByTestId('message-list').evaluate((el) => (el.scrollTop = el.scrollHeight));
      await page.waitForTimeout(300);
      assert.equal(await hasHorizontalScroll(page), false);
      for (const name of ['Attach files', 'Record voice message', 'Send', 'Emoji']) {
        const box = await page.getByRole('button', { name, exact: true }).boundingBox();
        assert.ok(box && box.width >= 44 && box.height >= 44, `${name}: ${JSON.stringify(box)}`);
      }
      const cardBox = await fileMessages(page, 4).first().getByTestId('file-card').boundingBox();
      assert.ok(cardBox && cardBox.height >= 44 && cardBox.x + cardBox.width <= 360, `file card ${JSON.stringify(cardBox)}`);
      await screenshot(page, 'phone-chat-files');
      // scroll up a little to show the image and the voice message together
      await page.getByTestId('message-list').evaluate((el) => (el.scrollTop = el.scrollHeight - el.clientHeight - 260));
      await page.waitForTimeout(200);
      await screenshot(page, 'phone-chat-files-earlier');

      await fileMessages(page, 1).first().getByTestId('image-thumb').tap();
      await imageLoaded(page, '[data-testid="lightbox-image"]');
      assert.equal(await hasHorizontalScroll(page), false);
      await screenshot(page, 'phone-lightbox');
      await page.getByRole('button', { name: 'Close image' }).tap();
      await page.getByTestId('lightbox').waitFor({ state: 'detached' });

      // recording on a phone: tap the microphone, then cancel
      await page.getByRole('button', { name: 'Record voice message' }).tap();
      await page.getByTestId('recording-indicator').and(page.locator('[data-state="recording"]')).waitFor();
      assert.equal(await hasHorizontalScroll(page), false);
      await screenshot(page, 'phone-recording');
      await page.getByRole('button', { name: 'Cancel recording' }).tap();
      await page.getByTestId('recording-indicator').waitFor({ state: 'detached' });
    } finally {
      await phoneBob.context.close();
    }
  });

  test('a profile picture replaces the initials in the profile, the own header and member lists', async () => {
    const { page } = alice;
    const jpeg = await sharp({ create: { width: 640, height: 480, channels: 3, background: { r: 230, g: 120, b: 40 } } })
      .jpeg({ quality: 85 })
      .toBuffer();
    await page.getByRole('link', { name: 'Your profile and settings' }).click();
    await page.getByRole('button', { name: 'Change profile picture' }).waitFor();
    await page.getByTestId('avatar-input').setInputFiles({ name: 'me.jpg', mimeType: 'image/jpeg', buffer: jpeg });
    await page.getByTestId('avatar-note').filter({ hasText: 'Profile picture updated.' }).waitFor({ timeout: 20_000 });
    const hero = await imageLoaded(page, '.hero [data-testid="avatar-image"]');
    assert.ok(hero.naturalWidth > 0);
    // the own avatar at the top of the conversation list
    const mine = await imageLoaded(page, 'a[aria-label="Your profile and settings"] [data-testid="avatar-image"]');
    assert.ok(mine.naturalWidth > 0);
    await screenshot(page, 'desktop-profile-avatar');

    // Bob sees it in the group's member list
    // (the details panel is open already on a wide screen: close and reopen it to refresh the members)
    const details = bob.page.getByRole('button', { name: 'Members and settings' });
    if (await bob.page.getByTestId('member-list').isVisible()) await details.click();
    await bob.page.getByTestId('member-list').waitFor({ state: 'detached' });
    await details.click();
    const member = await imageLoaded(bob.page, '[data-testid="member-list"] [data-testid="avatar-image"]');
    assert.ok(member.naturalWidth > 0);
  });

  test('an upload cut off by the network stays queued and goes out by itself once, with the same uuid', async () => {
    const { page } = alice;
    await openConversation(page, groupName);
    const bytes = Buffer.from(`retry me ${Date.now()}\n`.repeat(40));
    const bobBefore = await fileMessages(bob.page, 4).count();
    let failures = 0;
    await page.route(uploadUrl, async (route) => {
      if (route.request().method() !== 'POST') return route.fallback();
      failures++;
      await route.abort('connectionreset');
    });
    await attachFiles(page, [{ name: 'flaky.csv', mimeType: 'text/csv', buffer: bytes }]);
    const queued = page.locator('[data-testid="message"][data-uuid][data-msgtype="4"]');
    await queued.waitFor();
    const uuid = await queued.getAttribute('data-uuid');
    assert.ok(uuid);
    for (let i = 0; i < 100 && failures === 0; i++) await page.waitForTimeout(100);
    assert.ok(failures >= 1, 'the upload was cut off');
    // a network failure is not a refusal: still "sending", nothing to tap
    assert.equal(await queued.getAttribute('data-status'), 'sending');
    assert.equal(await queued.getByTestId('retry').count(), 0);
    await page.unroute(uploadUrl);
    await fileMessages(bob.page, 4).nth(bobBefore).waitFor({ timeout: 40_000 });
    await page.waitForTimeout(300);
    assert.equal(await fileMessages(bob.page, 4).count(), bobBefore + 1);
    const stored = await page.evaluate(async (id) => {
      const token = JSON.parse(localStorage.getItem('cookim.token') ?? 'null') as string;
      const sessionid = /\/c\/([0-9a-f]{24})/.exec(location.pathname)![1];
      const res = await fetch(`/api/sessions/${sessionid}/messages?limit=5`, { headers: { authorization: `Bearer ${token}` } });
      const { messages } = (await res.json()) as { messages: { uuid: string; msgtype: number }[] };
      return messages.filter((m) => m.uuid === id).map((m) => m.msgtype);
    }, uuid);
    assert.deepEqual(stored, [4]);
  });

  test('a pasted image and a file dropped on the chat are sent too', async () => {
    const { page } = alice;
    const images = await fileMessages(bob.page, 1).count();
    const files = await fileMessages(bob.page, 4).count();
    await page.evaluate(async () => {
      const canvas = document.createElement('canvas');
      canvas.width = 320;
      canvas.height = 200;
      const g = canvas.getContext('2d')!;
      g.fillStyle = '#e11d48';
      g.fillRect(0, 0, 320, 200);
      g.fillStyle = '#fde047';
      g.fillRect(40, 40, 120, 80);
      const blob = await new Promise<Blob>((resolve) => canvas.toBlob((b) => resolve(b!), 'image/png'));
      const pasted = new DataTransfer();
      pasted.items.add(new File([blob], 'image.png', { type: 'image/png' }));
      const input = document.querySelector('[data-testid="composer-input"]')!;
      input.dispatchEvent(new ClipboardEvent('paste', { clipboardData: pasted, bubbles: true, cancelable: true }));

      const dropped = new DataTransfer();
      dropped.items.add(new File([`dropped ${Date.now()}`], 'dropped notes.md', { type: 'text/markdown' }));
      const zone = document.querySelector('[data-testid="message-list"]')!;
      zone.dispatchEvent(new DragEvent('dragenter', { dataTransfer: dropped, bubbles: true, cancelable: true }));
      zone.dispatchEvent(new DragEvent('dragover', { dataTransfer: dropped, bubbles: true, cancelable: true }));
      zone.dispatchEvent(new DragEvent('drop', { dataTransfer: dropped, bubbles: true, cancelable: true }));
    });
    await fileMessages(bob.page, 1).nth(images).waitFor({ timeout: 20_000 });
    await fileMessages(bob.page, 4).nth(files).waitFor({ timeout: 20_000 });
    const pasted = await imageLoaded(bob.page, '[data-testid="message"][data-msgtype="1"] [data-testid="image-thumb"] img');
    assert.ok(pasted.naturalWidth > 0);
    assert.equal(await fileMessages(bob.page, 4).nth(files).getByTestId('file-name').textContent(), 'dropped notes.md');
    assert.equal(await page.getByTestId('drop-zone').count(), 0);
    assert.deepEqual(alice.pageErrors, []);
    assert.deepEqual(bob.pageErrors, []);
    assert.deepEqual([...alice.dialogs, ...bob.dialogs], []);
  });
});
