import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { http, registerUser, type TestUser } from '../support/client';
import { startServer, type RunningServer } from '../support/server';
import { fetchBytes, jpeg, listFiles, md5, randomBytesOf, upload } from '../support/files';

const MAX = 2 * 1024 * 1024;
let server: RunningServer;
let url: string;
let alice: TestUser;
let bob: TestUser;

before(async () => {
  server = await startServer({ env: { UPLOAD_MAX_BYTES: String(MAX), IMAGE_MAX_PIXELS: String(4_000_000) } });
  url = server.url;
  [alice, bob] = await Promise.all([registerUser(url, 'Alice'), registerUser(url, 'Bob')]);
});
after(() => server.stop());

const filesDir = () => path.join(server.dataDir, 'files');
const tmpFiles = () => readdirSync(path.join(filesDir(), 'tmp'));
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
/** Stored copies of a content (its sha256-named file; variants have suffixes). */
const copiesOf = (bytes: Buffer) => listFiles(filesDir()).filter((f) => path.basename(f) === sha256(bytes));

describe('POST /api/files', () => {
  test('stores the bytes under a content-addressed name (their sha256) and answers the file', async () => {
    const bytes = randomBytesOf(50_000);
    const res = await upload(url, alice.token, bytes, { name: 'notes.bin' });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    const { file } = res.body;
    assert.match(file.fileid, /^[0-9a-f]{24}$/);
    assert.equal(file.filemd5, md5(bytes));
    assert.equal(file.size, bytes.length);
    assert.equal(file.filetype, 'application/octet-stream');
    assert.equal(file.filename, 'notes.bin');
    assert.equal(file.kind, 'file');
    assert.match(file.url, new RegExp(`^/api/files/${file.fileid}\\?exp=\\d+&sig=[\\w-]+$`));
    assert.equal(file.thumbUrl, undefined);
    const key = sha256(bytes);
    const stored = path.join(filesDir(), key.slice(0, 2), key.slice(2, 4), key);
    assert.deepEqual(readFileSync(stored), bytes);
    assert.deepEqual(tmpFiles(), []);
  });

  test('the md5 may come after the file, or in the query', async () => {
    const after = await upload(url, alice.token, randomBytesOf(1000), { md5After: true });
    assert.equal(after.status, 201, JSON.stringify(after.body));
    const query = await upload(url, alice.token, randomBytesOf(1000), { md5InQuery: true });
    assert.equal(query.status, 201, JSON.stringify(query.body));
    const none = await upload(url, alice.token, randomBytesOf(1000), { md5: null });
    assert.equal(none.status, 400);
    assert.equal(none.body.error.code, 'invalid_input');
  });

  test('needs a signed-in user and a multipart body', async () => {
    assert.equal((await upload(url, 'nope', randomBytesOf(100))).status, 401);
    const json = await http(url, 'POST', '/api/files', { token: alice.token, body: { file: 'x' } });
    assert.equal(json.status, 400);
    assert.equal(json.body.error.code, 'invalid_input');
  });

  test('the same bytes uploaded twice are stored once, with the same fileid', async () => {
    const bytes = randomBytesOf(200_000);
    const first = await upload(url, alice.token, bytes, { name: 'a.bin' });
    const second = await upload(url, bob.token, bytes, { name: 'b.bin' });
    assert.equal(first.status, 201);
    assert.equal(second.status, 201);
    assert.equal(second.body.file.fileid, first.body.file.fileid);
    assert.equal(second.body.file.filename, 'b.bin', "each uploader's answer carries the name it gave");
    assert.equal(copiesOf(bytes).length, 1);
  });

  test('concurrent uploads of the same bytes meet in one record and one copy', async () => {
    const bytes = randomBytesOf(1_500_000);
    const results = await Promise.all([
      upload(url, alice.token, bytes),
      upload(url, bob.token, bytes),
      upload(url, alice.token, bytes),
      upload(url, bob.token, bytes),
    ]);
    for (const r of results) assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.equal(new Set(results.map((r) => r.body.file.fileid)).size, 1);
    assert.equal(copiesOf(bytes).length, 1);
    assert.deepEqual(tmpFiles(), []);
    const found = await http(url, 'GET', `/api/files/by-md5/${md5(bytes)}`, { token: alice.token });
    assert.equal(found.body.file.fileid, results[0].body.file.fileid);
  });

  test('HEAD/GET by md5 tell whether the caller may already read bytes with that md5', async () => {
    const bytes = randomBytesOf(3000);
    const sum = md5(bytes);
    const head = (token: string) => fetch(`${url}/api/files/by-md5/${sum}`, { method: 'HEAD', headers: { authorization: `Bearer ${token}` } });
    assert.equal((await head(alice.token)).status, 404);
    const up = await upload(url, alice.token, bytes);
    assert.equal((await head(alice.token)).status, 200);
    assert.equal((await head(bob.token)).status, 404, 'someone else\'s upload is not revealed');
    const mine = await http(url, 'GET', `/api/files/by-md5/${sum}`, { token: alice.token });
    assert.equal(mine.status, 200);
    assert.equal(mine.body.file.fileid, up.body.file.fileid);
    assert.match(mine.body.file.url, /sig=/, 'the uploader gets a signed URL');
    const other = await http(url, 'GET', `/api/files/by-md5/${sum}`, { token: bob.token });
    assert.equal(other.status, 404);
    assert.equal(other.body.error.code, 'file_not_found');
    assert.equal((await fetchBytes(url, `/api/files/${up.body.file.fileid}`, { token: bob.token })).status, 403);
    assert.equal((await http(url, 'GET', '/api/files/by-md5/xyz', { token: alice.token })).status, 400);
  });

  test('an md5 that does not match the bytes: 400 md5_mismatch, nothing kept', async () => {
    const bytes = randomBytesOf(300_000);
    const res = await upload(url, alice.token, bytes, { md5: md5('something else') });
    assert.equal(res.status, 400);
    assert.equal(res.body.error.code, 'md5_mismatch');
    assert.deepEqual(copiesOf(bytes), []);
    assert.deepEqual(tmpFiles(), []);
    assert.equal((await http(url, 'GET', `/api/files/by-md5/${md5(bytes)}`, { token: alice.token })).status, 404, 'no record');
  });

  test('beyond UPLOAD_MAX_BYTES: 413 too_large, the partial file removed', async () => {
    const bytes = randomBytesOf(MAX + 300_000);
    const res = await upload(url, alice.token, bytes);
    assert.equal(res.status, 413);
    assert.equal(res.body.error.code, 'too_large');
    // Without a declared length (chunked): the stream is cut at the limit.
    const boundary = 'cookimboundary';
    const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\n\r\n`);
    let sent = 0;
    const body = new ReadableStream({
      pull(controller) {
        if (sent === 0) controller.enqueue(head);
        if (sent >= bytes.length) return controller.close();
        controller.enqueue(bytes.subarray(sent, sent + 64 * 1024));
        sent += 64 * 1024;
      },
    });
    const chunked = await fetch(`${url}/api/files?md5=${md5(bytes)}`, {
      method: 'POST',
      body,
      duplex: 'half',
      headers: { authorization: `Bearer ${alice.token}`, 'content-type': `multipart/form-data; boundary=${boundary}` },
    } as RequestInit);
    assert.equal(chunked.status, 413);
    assert.equal((await chunked.json()).error.code, 'too_large');
    await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual(tmpFiles(), []);
    assert.deepEqual(copiesOf(bytes), []);
    // A file of exactly the limit is fine.
    assert.equal((await upload(url, alice.token, randomBytesOf(MAX))).status, 201);
  });

  test('a text file claiming to be an image is refused as one, and kept only as a plain file', async () => {
    const text = Buffer.from(`just some text ${Math.random()}\n`.repeat(20));
    const claimed = await upload(url, alice.token, text, { name: 'x.png', type: 'image/png' });
    assert.equal(claimed.status, 400);
    assert.equal(claimed.body.error.code, 'invalid_file');
    const byName = await upload(url, alice.token, text, { name: 'x.png' });
    assert.equal(byName.body.error.code, 'invalid_file');
    const asImage = await upload(url, alice.token, text, { name: 'x.png', type: 'image/png', msgtype: 1 });
    assert.equal(asImage.body.error.code, 'invalid_file');
    assert.deepEqual(copiesOf(text), []);
    const asFile = await upload(url, alice.token, text, { name: 'x.png', type: 'image/png', msgtype: 4 });
    assert.equal(asFile.status, 201, JSON.stringify(asFile.body));
    assert.equal(asFile.body.file.filetype, 'application/octet-stream');
    assert.equal(asFile.body.file.kind, 'file');
    assert.equal(asFile.body.file.thumbUrl, undefined);
    const served = await fetchBytes(url, asFile.body.file.url);
    assert.equal(served.headers.get('content-type'), 'application/octet-stream');
    assert.match(served.headers.get('content-disposition') ?? '', /^attachment; filename="x.png"/);
    assert.equal(served.headers.get('x-content-type-options'), 'nosniff');
  });

  test('a corrupt image (valid signature, broken body): 400 invalid_image, nothing kept', async () => {
    const good = await jpeg(640, 480);
    const truncated = good.subarray(0, Math.floor(good.length / 2));
    const res = await upload(url, alice.token, truncated, { name: 'broken.jpg', type: 'image/jpeg' });
    assert.equal(res.status, 400, JSON.stringify(res.body));
    assert.equal(res.body.error.code, 'invalid_image');
    const garbage = Buffer.concat([good.subarray(0, 3), Buffer.alloc(4000, 0x41)]);
    const res2 = await upload(url, alice.token, garbage, { name: 'garbage.jpg', type: 'image/jpeg' });
    assert.equal(res2.status, 400);
    assert.equal(res2.body.error.code, 'invalid_image');
    assert.deepEqual(copiesOf(truncated), []);
    assert.deepEqual(tmpFiles(), []);
    // The server is fine afterwards.
    assert.equal((await http(url, 'GET', '/healthz')).status, 200);
  });

  test('a path-traversal name is stored safely; the name is only sanitized for display', async () => {
    const passwdBefore = statSync('/etc/passwd').mtimeMs;
    const bytes = randomBytesOf(2000);
    const res = await upload(url, alice.token, bytes, { name: '../../etc/passwd' });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal(res.body.file.filename, 'passwd');
    const other = await upload(url, alice.token, randomBytesOf(2000), { name: '..\\..\\evil<name>|\u202etxt.exe' });
    assert.equal(other.status, 201, JSON.stringify(other.body));
    assert.equal(other.body.file.filename, 'evil_name___txt.exe');
    const stored = listFiles(filesDir());
    assert.ok(stored.every((f) => /^[0-9a-f]{2}\/[0-9a-f]{2}\/[0-9a-f]{64}(\.thumb\.webp|\.avatar\.webp)?$/.test(f)), stored.join(', '));
    assert.equal(statSync('/etc/passwd').mtimeMs, passwdBefore);
    assert.equal(existsSync(path.join(path.dirname(server.dataDir), 'etc')), false);
    assert.equal(existsSync(path.join(server.dataDir, 'etc')), false);
    assert.ok(!listFiles(server.dataDir).some((f) => path.basename(f) === 'passwd'));
    const served = await fetchBytes(url, res.body.file.url);
    assert.deepEqual(served.bytes, bytes);
    assert.match(served.headers.get('content-disposition') ?? '', /filename="passwd"; filename\*=UTF-8''passwd$/);
  });

  test('a non-ASCII name is RFC 5987 encoded in Content-Disposition', async () => {
    const res = await upload(url, alice.token, randomBytesOf(500), { name: 'relatório (final) 日本.pdf' });
    assert.equal(res.body.file.filename, 'relatório (final) 日本.pdf');
    const served = await fetchBytes(url, res.body.file.url);
    assert.equal(
      served.headers.get('content-disposition'),
      `attachment; filename="relat_rio (final) __.pdf"; filename*=UTF-8''relat%C3%B3rio%20%28final%29%20%E6%97%A5%E6%9C%AC.pdf`,
    );
  });
});

describe('images', () => {
  test('a 1200x800 JPEG gets a 256x171 WebP thumbnail', async () => {
    const image = await jpeg(1200, 800);
    const res = await upload(url, alice.token, image, { name: 'photo.jpg', type: 'image/jpeg', msgtype: 1 });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    const { file } = res.body;
    assert.equal(file.filetype, 'image/jpeg');
    assert.equal(file.kind, 'image');
    assert.equal(file.width, 1200);
    assert.equal(file.height, 800);
    assert.match(file.thumbUrl, new RegExp(`^/api/files/${file.fileid}/thumb\\?exp=\\d+&sig=`));
    const thumb = await fetchBytes(url, file.thumbUrl);
    assert.equal(thumb.status, 200);
    assert.equal(thumb.headers.get('content-type'), 'image/webp');
    assert.equal(thumb.headers.get('cache-control'), 'private, max-age=31536000, immutable');
    const meta = await sharp(thumb.bytes).metadata();
    assert.equal(meta.format, 'webp');
    assert.deepEqual([meta.width, meta.height], [256, 171]);
    const original = await fetchBytes(url, file.url);
    assert.equal(original.headers.get('content-type'), 'image/jpeg');
    assert.match(original.headers.get('content-disposition') ?? '', /^inline; filename="photo.jpg"/);
    assert.deepEqual(original.bytes, image);
  });

  test('EXIF orientation is honoured (size and thumbnail upright)', async () => {
    const image = await jpeg(1200, 800, 6);
    const res = await upload(url, alice.token, image, { name: 'rotated.jpg', type: 'image/jpeg' });
    assert.equal(res.status, 201);
    assert.deepEqual([res.body.file.width, res.body.file.height], [800, 1200]);
    const meta = await sharp((await fetchBytes(url, res.body.file.thumbUrl)).bytes).metadata();
    assert.deepEqual([meta.width, meta.height], [171, 256]);
  });

  test('an animated GIF is thumbnailed from its first frame', async () => {
    const frame = { width: 300, height: 150, channels: 4 as const };
    const red = await sharp({ create: { ...frame, background: '#ff0000' } }).raw().toBuffer();
    const blue = await sharp({ create: { ...frame, background: '#0000ff' } }).raw().toBuffer();
    const gif = await sharp(Buffer.concat([red, blue]), { raw: { width: 300, height: 300, channels: 4, pageHeight: 150 } } as never)
      .gif({ delay: [100, 100] } as never)
      .toBuffer();
    const res = await upload(url, alice.token, gif, { name: 'anim.gif', type: 'image/gif' });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.deepEqual([res.body.file.width, res.body.file.height], [300, 150]);
    const thumb = await sharp((await fetchBytes(url, res.body.file.thumbUrl)).bytes).raw().toBuffer({ resolveWithObject: true });
    assert.deepEqual([thumb.info.width, thumb.info.height], [256, 128]);
    assert.ok(thumb.data[0] > 200 && thumb.data[2] < 50, 'the first (red) frame');
  });

  test('an image beyond IMAGE_MAX_PIXELS is refused, not decoded', async () => {
    // IMAGE_MAX_PIXELS is 4 MP here: a 5 MP image (a small file: one colour) is refused before it is decoded.
    const png = await sharp({ create: { width: 2500, height: 2000, channels: 3, background: '#000' } }).png({ compressionLevel: 9 }).toBuffer();
    const res = await upload(url, alice.token, png, { name: 'bomb.png', type: 'image/png' });
    assert.equal(res.status, 400, JSON.stringify(res.body));
    assert.equal(res.body.error.code, 'invalid_image');
    assert.match(res.body.error.message, /pixels/);
  });
});

describe('avatars', () => {
  test('PATCH /api/me with an uploaded image sets a 200x200 avatar any signed-in user can fetch', async () => {
    const image = await jpeg(900, 600);
    const up = await upload(url, alice.token, image, { name: 'me.jpg', type: 'image/jpeg' });
    const res = await http(url, 'PATCH', '/api/me', { token: alice.token, body: { avatar: up.body.file.fileid } });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const avatar: string = res.body.user.avatar;
    assert.match(avatar, new RegExp(`^/api/files/${up.body.file.fileid}/avatar\\?exp=\\d+&sig=`));
    const signed = await fetchBytes(url, avatar);
    assert.equal(signed.status, 200);
    assert.equal(signed.headers.get('content-type'), 'image/webp');
    const meta = await sharp(signed.bytes).metadata();
    assert.deepEqual([meta.width, meta.height], [200, 200]);
    // Another signed-in user, with a Bearer token and no signature; and in the user views they get.
    const plain = avatar.split('?')[0];
    assert.equal((await fetchBytes(url, plain, { token: bob.token })).status, 200);
    assert.equal((await fetchBytes(url, plain)).status, 401);
    const seen = await http(url, 'GET', `/api/users/${alice.uid}`, { token: bob.token });
    assert.equal((await fetchBytes(url, seen.body.user.avatar)).status, 200);
    // The original stays private.
    assert.equal((await fetchBytes(url, `/api/files/${up.body.file.fileid}`, { token: bob.token })).status, 403);
  });

  test('the avatar must be an image the user uploaded', async () => {
    const notImage = await upload(url, alice.token, randomBytesOf(1000));
    const res = await http(url, 'PATCH', '/api/me', { token: alice.token, body: { avatar: notImage.body.file.fileid } });
    assert.equal(res.status, 400);
    assert.equal(res.body.error.code, 'invalid_file');
    const bobsImage = await upload(url, bob.token, await jpeg(320, 240), { type: 'image/jpeg', name: 'b.jpg' });
    const theirs = await http(url, 'PATCH', '/api/me', { token: alice.token, body: { avatar: bobsImage.body.file.fileid } });
    assert.equal(theirs.status, 403);
    const unknown = await http(url, 'PATCH', '/api/me', { token: alice.token, body: { avatar: 'f'.repeat(24) } });
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.error.code, 'file_not_found');
    const url2 = await http(url, 'PATCH', '/api/me', { token: alice.token, body: { avatar: 'https://example.com/x.png' } });
    assert.equal(url2.status, 400);
    const cleared = await http(url, 'PATCH', '/api/me', { token: alice.token, body: { avatar: '' } });
    assert.equal(cleared.status, 200);
    assert.equal(cleared.body.user.avatar, undefined);
  });

  test('POST /api/me/avatar uploads and sets in one call', async () => {
    const image = await jpeg(400, 1000);
    const res = await upload(url, bob.token, image, { name: 'bob.jpg', type: 'image/jpeg', path: '/api/me/avatar' });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const meta = await sharp((await fetchBytes(url, res.body.user.avatar)).bytes).metadata();
    assert.deepEqual([meta.width, meta.height], [200, 200]);
    const text = await upload(url, bob.token, Buffer.from('hello'), { name: 'x.txt', path: '/api/me/avatar' });
    assert.equal(text.status, 400);
    assert.equal(text.body.error.code, 'invalid_file');
  });
});
