import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { openTestDatabase, type TestDatabase } from '../support/mongo';
import { PageServer, failureReason, html, previewerKit, type PreviewerKit } from './previewKit';

let t: TestDatabase;
/** A long deadline: whatever ends these fetches early is another bound. */
let kit: PreviewerKit;
/** A short deadline, for the pages only a deadline stops. */
let quick: PreviewerKit;
let pages: PageServer;
let timers: NodeJS.Timeout[] = [];

const filler = (n: number) => `<meta name="filler" content="${'x'.repeat(n)}">\n`;

before(async () => {
  t = await openTestDatabase();
  // LINK_PREVIEW_ALLOW_PRIVATE=1 here: the pages are on 127.0.0.1. Short bounds keep the tests quick.
  kit = previewerKit(t, { timeoutMs: 8000, htmlMaxBytes: 64 * 1024 });
  quick = previewerKit(t, { timeoutMs: 1500, htmlMaxBytes: 64 * 1024 });
  pages = await PageServer.start({
    '/page': html('<html><head><title>A page</title><meta property="og:description" content="About it"></head><body>hi</body></html>'),
    // The head never closes and the body never ends: reading stops at the byte bound, not the deadline.
    '/endless': (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html' });
      res.write('<html><head><title>Endless</title>');
      const chunk = filler(8000);
      const pump = () => {
        while (res.write(chunk)) {
          /* until the socket pushes back */
        }
      };
      res.on('drain', pump);
      pump();
    },
    '/endless-no-metadata': (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html' });
      const timer = setInterval(() => res.write(filler(16000)), 1);
      timers.push(timer);
      res.on('close', () => clearInterval(timer));
    },
    // The head is complete early; the body goes on for ever: reading stops after the head.
    '/long-body': (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html' });
      res.write('<html><head><title>Short head</title></head><body>');
      const timer = setInterval(() => res.write('<p>more</p>'.repeat(500)), 5);
      timers.push(timer);
      res.on('close', () => clearInterval(timer));
    },
    // Headers at once, then a byte now and then: only the deadline stops it.
    '/slow': (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html' });
      res.write('<html><head>');
      const timer = setInterval(() => res.write(' '), 100);
      timers.push(timer);
      res.on('close', () => clearInterval(timer));
    },
    // Never answers at all.
    '/silent': () => undefined,
    '/pdf': (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/pdf' });
      res.end('%PDF-1.4 <title>not a page</title>');
    },
    '/json': html('{"title":"json"}', 'application/json'),
    '/untyped': (_req, res) => {
      res.writeHead(200);
      res.end('<title>no content type</title>');
    },
    '/gone': (_req, res) => {
      res.writeHead(404, { 'Content-Type': 'text/html' });
      res.end('<title>Not found</title>');
    },
    '/gzip': compressed(gzipSync('<html><head><title>Compressed</title></head><body></body></html>')),
    // 64 MB of nothing in 64 KB on the wire: the bound counts the bytes after decompression.
    '/bomb': compressed(gzipSync(Buffer.concat([Buffer.from('<html><head><title>Bomb</title>'), Buffer.alloc(64 * 1024 * 1024, 32)]))),
    '/hop1': redirect('/hop2'),
    '/hop2': redirect('/hop3'),
    '/hop3': redirect('/page'),
    '/far1': redirect('/far2'),
    '/far2': redirect('/far3'),
    '/far3': redirect('/far4'),
    '/far4': redirect('/page'),
    '/loop': redirect('/loop'),
    '/to-ftp': redirect('ftp://files.example/x'),
  });
});

after(async () => {
  for (const timer of timers) clearInterval(timer);
  await Promise.all([kit.previewer.close(), quick.previewer.close()]);
  await pages.close();
  await t.close();
});

function redirect(location: string) {
  return (_req: unknown, res: import('node:http').ServerResponse) => {
    res.writeHead(302, { Location: location });
    res.end();
  };
}

function compressed(body: Buffer) {
  return (_req: unknown, res: import('node:http').ServerResponse) => {
    res.writeHead(200, { 'Content-Type': 'text/html', 'Content-Encoding': 'gzip' });
    res.end(body);
  };
}

async function timed<T>(work: Promise<T>): Promise<{ value: T; ms: number }> {
  const started = Date.now();
  const value = await work;
  return { value, ms: Date.now() - started };
}

test('a page that never ends is read up to the byte bound, not longer, and its head still counts', async () => {
  const { value, ms } = await timed(kit.previewer.previewFor(pages.url('/endless')));
  assert.equal(value?.title, 'Endless');
  assert.ok(ms < 4000, `stopped by the byte bound, before the deadline (${ms} ms)`);
  const none = await timed(kit.previewer.previewFor(pages.url('/endless-no-metadata')));
  assert.equal(none.value, null);
  assert.ok(none.ms < 4000, `${none.ms} ms`);
  assert.equal(await failureReason(kit.store, pages.url('/endless-no-metadata')), 'no_metadata');
  // The connections were closed by the reader, not finished by the server.
  assert.ok(pages.closedEarly >= 2);
});

test('compressed pages are read, the byte bound applying to what they expand to', async () => {
  assert.equal((await kit.previewer.previewFor(pages.url('/gzip')))?.title, 'Compressed');
  const { value, ms } = await timed(kit.previewer.previewFor(pages.url('/bomb')));
  assert.equal(value?.title, 'Bomb');
  assert.ok(ms < 4000, `${ms} ms`);
});

test('once the head is complete the body is not read', async () => {
  const { value, ms } = await timed(kit.previewer.previewFor(pages.url('/long-body')));
  assert.equal(value?.title, 'Short head');
  assert.ok(ms < 4000, `${ms} ms`);
});

test('a slow page, or one that never answers, is given up at the deadline', async () => {
  for (const path of ['/slow', '/silent']) {
    const { value, ms } = await timed(quick.previewer.previewFor(pages.url(path)));
    assert.equal(value, null);
    assert.ok(ms >= 1400 && ms < 4000, `${path}: ${ms} ms`);
    assert.equal(await failureReason(quick.store, pages.url(path)), 'timeout');
  }
});

test('up to three redirects are followed; a fourth, a loop, or a redirect off http(s) is refused', async () => {
  const followed = await kit.previewer.previewFor(pages.url('/hop1'));
  assert.equal(followed?.title, 'A page');
  assert.equal(followed?.url, pages.url('/hop1'), 'the preview keeps the link as posted');

  assert.equal(await kit.previewer.previewFor(pages.url('/far1')), null);
  assert.equal(await failureReason(kit.store, pages.url('/far1')), 'too_many_redirects');
  assert.equal(pages.count('/far4'), 1, 'the fourth redirect was seen');
  assert.equal(pages.count('/page'), 1, 'and not followed (only /hop1 reached the page)');

  assert.equal(await kit.previewer.previewFor(pages.url('/loop')), null);
  assert.equal(await failureReason(kit.store, pages.url('/loop')), 'too_many_redirects');
  assert.equal(pages.count('/loop'), 4);

  assert.equal(await kit.previewer.previewFor(pages.url('/to-ftp')), null);
  assert.equal(await failureReason(kit.store, pages.url('/to-ftp')), 'unsupported_url');
});

test('only HTML is previewed: other types, no type, and error statuses are refused', async () => {
  for (const path of ['/pdf', '/json', '/untyped']) {
    assert.equal(await kit.previewer.previewFor(pages.url(path)), null, path);
    assert.equal(await failureReason(kit.store, pages.url(path)), 'unsupported_content', path);
  }
  assert.equal(await kit.previewer.previewFor(pages.url('/gone')), null);
  assert.equal(await failureReason(kit.store, pages.url('/gone')), 'http_status');
});
