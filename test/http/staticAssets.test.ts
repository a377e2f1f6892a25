/**
 * The built web client's files (issue 10, "Static assets"): hashed assets are sent pre-compressed
 * (brotli or gzip, by Accept-Encoding) with a year-long immutable cache; index.html and other
 * unhashed files are revalidated every time.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { startServer, type RunningServer } from '../support/server';
import { rawRequest } from './rawHttp';

const dist = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../web/dist');
const IMMUTABLE = 'public, max-age=31536000, immutable';
let server: RunningServer;

before(async () => {
  server = await startServer();
});
after(() => server.stop());

/** The entry bundle index.html loads, and the lazily loaded hls.js chunk. */
function bundles(): { main: string; hls: string } {
  const html = readFileSync(path.join(dist, 'index.html'), 'utf8');
  const main = /<script[^>]+src="(\/assets\/index-[^"]+\.js)"/.exec(html)?.[1];
  assert.ok(main, 'index.html loads a hashed entry bundle');
  const hls = readdirSync(path.join(dist, 'assets')).find((f) => /^hls-[\w-]+\.js$/.test(f));
  assert.ok(hls, 'the build has a hls.js chunk');
  return { main, hls: `/assets/${hls}` };
}

const get = (urlPath: string, headers: Record<string, string> = {}) => rawRequest(`${server.url}${urlPath}`, { headers });

describe('hashed assets', () => {
  for (const which of ['main', 'hls'] as const) {
    test(`the ${which} bundle: brotli when asked, gzip when asked, identity otherwise, same bytes`, async () => {
      const asset = bundles()[which];
      const original = readFileSync(path.join(dist, asset));

      const br = await get(asset, { 'accept-encoding': 'gzip, deflate, br' });
      assert.equal(br.status, 200);
      assert.equal(br.headers['content-encoding'], 'br');
      assert.match(String(br.headers['content-type']), /javascript/);
      assert.ok(br.body.length < original.length / 2, `brotli ${br.body.length} of ${original.length} bytes`);
      assert.ok(brotliDecompressSync(br.body).equals(original));

      const gz = await get(asset, { 'accept-encoding': 'gzip' });
      assert.equal(gz.headers['content-encoding'], 'gzip');
      assert.ok(gz.body.length < original.length / 2);
      assert.ok(gunzipSync(gz.body).equals(original));

      const plain = await get(asset);
      assert.equal(plain.headers['content-encoding'], undefined);
      assert.ok(plain.body.equals(original));

      // identity preferred, or br refused: never an encoding the client did not accept
      const refused = await get(asset, { 'accept-encoding': 'br;q=0, gzip' });
      assert.equal(refused.headers['content-encoding'], 'gzip');
      const identity = await get(asset, { 'accept-encoding': 'identity' });
      assert.equal(identity.headers['content-encoding'], undefined);
      assert.ok(identity.body.equals(original));

      for (const res of [br, gz, plain]) {
        assert.equal(res.headers['cache-control'], IMMUTABLE);
        assert.match(String(res.headers.vary), /accept-encoding/i);
        assert.equal(res.headers['x-content-type-options'], 'nosniff');
      }
      process.stdout.write(`# ${which} ${asset}: raw ${original.length}, gzip ${gz.body.length}, brotli ${br.body.length} bytes\n`);
    });
  }

  test('a stylesheet and an emoji graphic are served compressed and immutable too', async () => {
    const assets = readdirSync(path.join(dist, 'assets'));
    const css = assets.find((f) => /^index-[\w-]+\.css$/.test(f));
    const twemoji = assets.find((f) => f.startsWith('twemoji-'));
    assert.ok(css && twemoji);
    const style = await get(`/assets/${css}`, { 'accept-encoding': 'br' });
    assert.equal(style.headers['content-encoding'], 'br');
    assert.equal(style.headers['cache-control'], IMMUTABLE);
    const emoji = await get(`/assets/${twemoji}/1f600.svg`, { 'accept-encoding': 'gzip' });
    assert.equal(emoji.status, 200);
    assert.equal(emoji.headers['cache-control'], IMMUTABLE);
    assert.match(String(emoji.headers['content-type']), /image\/svg\+xml/);
  });

  test('an asset that is not in the build is a 404 in the error shape, not index.html', async () => {
    const res = await get('/assets/index-doesnotexist.js', { 'accept-encoding': 'br' });
    assert.equal(res.status, 404);
    assert.equal(res.json?.error?.code, 'not_found');
  });
});

describe('unhashed files', () => {
  for (const urlPath of ['/', '/index.html', '/c/0123456789abcdef01234567', '/manifest.webmanifest', '/icons/icon.svg']) {
    test(`${urlPath} is revalidated on every load (no-cache)`, async () => {
      const res = await get(urlPath, { 'accept-encoding': 'gzip, br' });
      assert.equal(res.status, 200);
      assert.equal(res.headers['cache-control'], 'no-cache');
    });
  }

  test('the service worker is served from the root (scope /), revalidated on every load, with its cache named after this build', async () => {
    const res = await get('/sw.js', { 'accept-encoding': 'gzip, br' });
    assert.equal(res.status, 200);
    assert.equal(res.headers['cache-control'], 'no-cache');
    assert.match(String(res.headers['content-type']), /javascript/);
    const source = readFileSync(path.join(dist, 'sw.js'), 'utf8');
    assert.match(source, /const VERSION = '[0-9a-f]{12}'/, 'scripts/build-web.mjs stamped the build');
  });

  test('the client routes get index.html', async () => {
    const res = await get('/profile');
    assert.match(String(res.headers['content-type']), /text\/html/);
    assert.ok(res.body.toString('utf8').includes('<div id="app">'));
  });
});
