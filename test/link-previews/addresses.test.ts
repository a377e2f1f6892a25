import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { checkedLookup, isPublicAddress } from '../../signaling/link-previews/addressPolicy';
import { BlockedAddressError } from '../../signaling/link-previews/linkPreviewErrors';
import { openTestDatabase, type TestDatabase } from '../support/mongo';
import { PageServer, failureReason, html, previewerKit } from './previewKit';

let t: TestDatabase;
let pages: PageServer;
/** A second server on another loopback address: what a redirect must never reach. */
let inside: PageServer;

before(async () => {
  t = await openTestDatabase();
  inside = await PageServer.start({ '/secret': html('<title>internal</title>') }, '127.0.0.2');
  pages = await PageServer.start({
    '/page': html('<head><title>Public page</title></head>'),
    '/to-inside': redirect(inside.url('/secret')),
    '/to-v6-loopback': redirect('http://[::1]:9/secret'),
    '/to-metadata': redirect('http://169.254.169.254/latest/meta-data/'),
    '/to-mapped': redirect(`http://[::ffff:127.0.0.2]:${new URL(inside.origin).port}/secret`),
  });
});
after(async () => {
  await Promise.all([pages.close(), inside.close()]);
  await t.close();
});

function redirect(location: string) {
  return (_req: unknown, res: import('node:http').ServerResponse) => {
    res.writeHead(301, { Location: location });
    res.end();
  };
}

test('only public unicast addresses are allowed', () => {
  for (const address of ['93.184.216.34', '8.8.8.8', '2606:4700:4700::1111', '::ffff:93.184.216.34']) {
    assert.equal(isPublicAddress(address), true, address);
  }
  const refused = [
    '127.0.0.1', '127.8.9.10', '10.1.2.3', '172.16.0.1', '192.168.1.1', // loopback, private
    '169.254.169.254', '100.64.0.1', '0.0.0.0', '255.255.255.255', '224.0.0.1', '192.0.2.1', '198.18.0.1', '240.0.0.1', // link-local, CGNAT, unspecified, broadcast, multicast, documentation, benchmarking, reserved
    '::1', '::', 'fe80::1', 'fc00::1', 'fd12:3456::1', 'ff02::1', 'fec0::1', '2001:db8::1', // IPv6 loopback, unspecified, link-local, unique-local, multicast, site-local, documentation
    '::ffff:127.0.0.1', '::ffff:10.0.0.1', '::ffff:192.168.0.1', '64:ff9b::a00:1', '2002:a00:1::1', // IPv4 inside IPv6: mapped, NAT64, 6to4
    'not-an-address', '',
  ];
  for (const address of refused) assert.equal(isPublicAddress(address), false, address);
});

test('a name is checked on the addresses it resolves to, which are the ones connected to', async () => {
  const lookup = (allowed: (a: string) => boolean) =>
    new Promise<{ err: Error | null; addresses: unknown }>((resolve) =>
      checkedLookup(allowed)('localhost', { all: true }, (err, addresses) => resolve({ err, addresses })),
    );
  const refused = await lookup(isPublicAddress);
  assert.ok(refused.err instanceof BlockedAddressError);
  const allowed = await lookup(() => true);
  assert.equal(allowed.err, null);
  assert.ok(Array.isArray(allowed.addresses) && allowed.addresses.length > 0);
});

test('without LINK_PREVIEW_ALLOW_PRIVATE, private, loopback, link-local and mapped URLs are refused unfetched', async () => {
  const kit = previewerKit(t, { allowPrivate: false });
  const port = new URL(pages.origin).port;
  const urls = [
    pages.url('/page'),
    `http://localhost:${port}/page`,
    `http://[::1]:${port}/page`,
    `http://[::ffff:127.0.0.1]:${port}/page`,
    `http://0.0.0.0:${port}/page`,
    `http://[::]:${port}/page`,
    'http://169.254.169.254/latest/meta-data/',
    'http://[fe80::1]/',
    'http://[fc00::1]/',
    'http://10.0.0.1/',
    'http://192.168.1.1/',
    'http://100.64.0.1/',
    'http://224.0.0.1/',
    // Other spellings of 127.0.0.1 that URL parsing turns into it.
    `http://2130706433:${port}/page`,
    `http://0x7f.1:${port}/page`,
  ];
  for (const url of urls) {
    assert.equal(await kit.previewer.previewFor(url), null, url);
    assert.equal(await failureReason(kit.store, url), 'blocked_address', url);
  }
  assert.equal(pages.total, 0, 'nothing reached the local server');
  await kit.previewer.close();
});

test('a redirect from a public page to a private address is refused at that hop', async () => {
  // 127.0.0.1 stands in for a public host here; every other address is judged by the real policy.
  const kit = previewerKit(t, { allowPrivate: false, addressAllowed: (a) => a === '127.0.0.1' || isPublicAddress(a) });
  await t.db.linkPreviews.deleteMany({}); // the refusals the test above cached
  assert.equal((await kit.previewer.previewFor(pages.url('/page')))?.title, 'Public page');
  for (const path of ['/to-inside', '/to-v6-loopback', '/to-metadata', '/to-mapped']) {
    assert.equal(await kit.previewer.previewFor(pages.url(path)), null, path);
    assert.equal(await failureReason(kit.store, pages.url(path)), 'blocked_address', path);
    assert.equal(pages.count(path), 1, path);
  }
  assert.equal(inside.total, 0, 'the private server was never reached');
  await kit.previewer.close();
});
