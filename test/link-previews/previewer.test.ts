import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import { ObjectId } from 'mongodb';
import pino from 'pino';
import sharp from 'sharp';
import { LinkPreviewStore } from '../../storage/LinkPreviewStore';
import { SessionStore } from '../../storage/SessionStore';
import { loadConfig } from '../../signaling/config';
import { Thumbnailer } from '../../signaling/files/Thumbnailer';
import { LinkPreviewer } from '../../signaling/link-previews/LinkPreviewer';
import { linkPreviewOptions } from '../../signaling/link-previews/linkPreviewOptions';
import { PREVIEW_UPLOADER } from '../../signaling/link-previews/previewImages';
import { openTestDatabase, type TestDatabase } from '../support/mongo';
import { PageServer, failureReason, html, previewerKit, type Route } from './previewKit';

let t: TestDatabase;
let pages: PageServer;
let photo: Buffer;
let inFlight = 0;
let mostInFlight = 0;

const slowPage: Route = (_req, res) => {
  inFlight++;
  mostInFlight = Math.max(mostInFlight, inFlight);
  setTimeout(() => {
    inFlight--;
    html('<head><title>Slow</title></head>')(_req, res);
  }, 150);
};

before(async () => {
  t = await openTestDatabase();
  // A photo-like image (noise does not compress): far bigger than the preview made of it.
  photo = await sharp({ create: { width: 1200, height: 800, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 30 } } })
    .jpeg({ quality: 75 })
    .toBuffer();
  const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>';
  const image = (bytes: Buffer | string, type: string): Route => (_req, res) => {
    res.writeHead(200, { 'Content-Type': type });
    res.end(bytes);
  };
  pages = await PageServer.start({
    '/article': html(`<html><head>
      <title>Fallback title</title>
      <meta property="og:title" content="An article &amp; its picture">
      <meta property="og:description" content="What it is about">
      <meta property="og:site_name" content="Local News">
      <meta property="og:image" content="/photo.jpg">
      </head><body></body></html>`),
    '/photo.jpg': image(photo, 'image/jpeg'),
    '/with-big-image': html('<head><title>Big</title><meta property="og:image" content="/big.jpg"></head>'),
    '/big.jpg': image(Buffer.alloc(2 * 1024 * 1024, 1), 'image/jpeg'),
    '/with-svg': html('<head><title>Vector</title><meta property="og:image" content="/pic.svg"></head>'),
    '/pic.svg': image(svg, 'image/svg+xml'),
    '/with-fake-image': html('<head><title>Fake</title><meta property="og:image" content="/fake.png"></head>'),
    '/fake.png': image(`${svg}`, 'image/png'),
    '/cached': html('<head><title>Cached</title></head>'),
    '/shared': slowPage,
    '/pdf': image('%PDF-1.4', 'application/pdf'),
    '/slow1': slowPage,
    '/slow2': slowPage,
    '/slow3': slowPage,
    '/slow4': slowPage,
    '/slow5': slowPage,
    '/for-message': html('<head><meta property="og:title" content="For a message"><meta property="og:image" content="/photo.jpg"></head>'),
  });
});
after(async () => {
  await pages.close();
  await t.close();
});

test('the page image is re-encoded by the thumbnailer and stored as a file, not the original bytes', async () => {
  const kit = previewerKit(t);
  const preview = await kit.previewer.previewFor(pages.url('/article'));
  assert.ok(photo.length > 100_000, `${photo.length}`);
  assert.ok(preview);
  assert.equal(preview.title, 'An article & its picture');
  assert.equal(preview.description, 'What it is about');
  assert.equal(preview.siteName, 'Local News');
  assert.ok(preview.imageFileId);
  const file = await kit.files.get(preview.imageFileId);
  assert.ok(file);
  assert.equal(file.filetype, 'image/webp');
  assert.equal(file.kind, 'image');
  assert.deepEqual(file.uploaders, [PREVIEW_UPLOADER]);
  assert.deepEqual(file.sessionids, [], 'nobody may fetch it until a message carries it');
  const stored = await readFile(kit.files.absolutePath(file.filepath));
  assert.equal(stored.length, file.size);
  assert.ok(stored.length < 64 * 1024 && stored.length < photo.length / 4, `${stored.length} bytes from ${photo.length}`);
  assert.notEqual(createHash('sha256').update(stored).digest('hex'), createHash('sha256').update(photo).digest('hex'));
  const meta = await sharp(stored).metadata();
  assert.equal(meta.format, 'webp');
  assert.ok(meta.width! <= 256 && meta.height! <= 256, `${meta.width}x${meta.height}`);
  assert.equal(file.width, meta.width);
  await kit.previewer.close();
});

test('an image over the byte bound, an SVG, or bytes that are no image leave the preview without one', async () => {
  const kit = previewerKit(t);
  for (const [path, title] of [['/with-big-image', 'Big'], ['/with-svg', 'Vector'], ['/with-fake-image', 'Fake']]) {
    const preview = await kit.previewer.previewFor(pages.url(path));
    assert.equal(preview?.title, title, path);
    assert.equal(preview?.imageFileId, undefined, path);
  }
  await kit.previewer.close();
});

test('one URL is fetched once: later requests hit the cache (shared by every process), concurrent ones share the fetch', async () => {
  const kit = previewerKit(t);
  assert.equal((await kit.previewer.previewFor(pages.url('/cached')))?.title, 'Cached');
  assert.equal((await kit.previewer.previewFor(`${pages.url('/cached')}#another-fragment`))?.title, 'Cached');
  const otherProcess = previewerKit(t);
  assert.equal((await otherProcess.previewer.previewFor(pages.url('/cached')))?.title, 'Cached');
  assert.equal(pages.count('/cached'), 1);

  const all = await Promise.all(Array.from({ length: 6 }, () => kit.previewer.previewFor(pages.url('/shared'))));
  assert.deepEqual(new Set(all.map((p) => p?.title)), new Set(['Slow']));
  assert.equal(pages.count('/shared'), 1);

  // Failures are remembered too.
  assert.equal(await kit.previewer.previewFor(pages.url('/pdf')), null);
  assert.equal(await kit.previewer.previewFor(pages.url('/pdf')), null);
  assert.equal(pages.count('/pdf'), 1);
  await Promise.all([kit.previewer.close(), otherProcess.previewer.close()]);
});

test('a process runs at most LINK_PREVIEW_CONCURRENCY fetches at once; the rest wait their turn', async () => {
  const kit = previewerKit(t, { concurrency: 2 });
  mostInFlight = 0;
  const titles = await Promise.all([1, 2, 3, 4, 5].map((i) => kit.previewer.previewFor(pages.url(`/slow${i}`))));
  assert.deepEqual(titles.map((p) => p?.title), ['Slow', 'Slow', 'Slow', 'Slow', 'Slow']);
  assert.equal(mostInFlight, 2);
  await kit.previewer.close();
});

test('a stored text message with a link gets its preview through the sink; its image becomes readable to the members', async () => {
  const kit = previewerKit(t);
  const owner = new ObjectId().toHexString();
  const stranger = new ObjectId().toHexString();
  const session = await new SessionStore(t.db).createGroup(owner, { name: 'previews', visabletype: 1, jointype: 0 });
  const sessionid = session._id.toHexString();
  const message = { _id: new ObjectId(), sessionid, msgtype: 0, content: `have a look: ${pages.url('/for-message')} (and ${pages.url('/cached')})` };
  kit.previewer.scheduleFor(message);
  assert.equal(kit.delivered.length, 0, 'scheduling returns before any work');
  // Not previewed: file messages, texts without a link.
  kit.previewer.scheduleFor({ _id: new ObjectId(), sessionid, msgtype: 1, content: pages.url('/cached') });
  kit.previewer.scheduleFor({ _id: new ObjectId(), sessionid, msgtype: 0, content: 'no link in here' });
  await kit.previewer.settled();

  assert.equal(kit.delivered.length, 1);
  const [{ target, preview }] = kit.delivered;
  assert.deepEqual(target, { sessionid, msgid: message._id.toHexString() });
  assert.equal(preview.url, pages.url('/for-message'));
  assert.equal(preview.title, 'For a message');
  assert.ok(preview.imageFileId);
  assert.equal(preview.imageUrl, `/api/files/${preview.imageFileId}`);
  const file = (await kit.files.get(preview.imageFileId))!;
  assert.ok(file.sessionids.includes(sessionid));
  assert.ok(file.msgids.includes(message._id.toHexString()));
  assert.equal(await kit.files.mayAccess(file, owner), true);
  assert.equal(await kit.files.mayAccess(file, stranger), false);
  await kit.previewer.close();
});

test('a failing sink is logged, never thrown to the caller', async () => {
  const lines: string[] = [];
  const kit = previewerKit(t, {
    logger: pino({ level: 'warn' }, { write: (line: string) => void lines.push(line) }),
    sink: async () => {
      throw new Error('the conversation is gone');
    },
  });
  kit.previewer.scheduleFor({ _id: new ObjectId(), sessionid: new ObjectId().toHexString(), msgtype: 0, content: pages.url('/cached') });
  await kit.previewer.settled();
  assert.equal(lines.length, 1);
  const entry = JSON.parse(lines[0]);
  assert.equal(entry.msg, 'attaching a link preview failed');
  assert.equal(entry.err.message, 'the conversation is gone');
  await kit.previewer.close();
});

/** The configuration as these variables make it (restored afterwards). */
function configWith(vars: Record<string, string>) {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  Object.assign(process.env, vars);
  try {
    return loadConfig([]);
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

test('LINK_PREVIEWS=off: nothing is fetched, nothing delivered', async () => {
  const config = configWith({ LINK_PREVIEWS: 'off', LINK_PREVIEW_ALLOW_PRIVATE: '1' });
  assert.equal(config.linkPreviews, false);
  const delivered: unknown[] = [];
  const base = previewerKit(t);
  const previewer = new LinkPreviewer(
    linkPreviewOptions(config, {
      store: new LinkPreviewStore(t.db),
      files: base.files,
      thumbnailer: new Thumbnailer(config.imageMaxPixels),
      logger: pino({ level: 'silent' }),
      sink: async (...args) => {
        delivered.push(args);
      },
    }),
  );
  const before = pages.total;
  assert.equal(await previewer.previewFor(pages.url('/article?off')), null);
  previewer.scheduleFor({ _id: new ObjectId(), sessionid: new ObjectId().toHexString(), msgtype: 0, content: pages.url('/article?off2') });
  await previewer.settled();
  assert.equal(pages.total, before);
  assert.deepEqual(delivered, []);
  assert.equal(await failureReason(base.store, pages.url('/article?off')), undefined);
  // The settings themselves: on unless turned off; private addresses only when allowed.
  const defaults = configWith({ LINK_PREVIEWS: '', LINK_PREVIEW_ALLOW_PRIVATE: '' });
  assert.equal(defaults.linkPreviews, true);
  assert.equal(defaults.linkPreviewAllowPrivate, false);
  assert.equal(defaults.linkPreviewTimeoutMs, 5000);
  assert.equal(defaults.linkPreviewMaxRedirects, 3);
  assert.equal(configWith({ LINK_PREVIEW_ALLOW_PRIVATE: '1' }).linkPreviewAllowPrivate, true);
  await Promise.all([previewer.close(), base.previewer.close()]);
});
