import assert from 'node:assert/strict';
import { test } from 'node:test';
import { firstLink, normalizeUrl } from '../../signaling/link-previews/firstLink';
import { DESCRIPTION_MAX, TITLE_MAX, decodeHtml, parsePageMetadata } from '../../signaling/link-previews/pageMetadata';

const page = new URL('https://news.example/articles/1?x=1');

test('Open Graph wins over twitter: and plain HTML; relative images resolve against the page', () => {
  const meta = parsePageMetadata(
    `<!doctype html><html><head>
      <title>Plain title</title>
      <meta name="description" content="Plain description">
      <meta name="twitter:title" content="Twitter title">
      <meta property="og:title" content="  OG   title
        on two lines ">
      <meta property="og:description" content="OG description">
      <meta property="og:site_name" content="Example News">
      <meta property="og:image" content="/img/cover.png">
      <meta property="og:image" content="/img/second.png">
    </head><body><title>not this</title></body></html>`,
    page,
  );
  assert.deepEqual(meta, {
    title: 'OG title on two lines',
    description: 'OG description',
    siteName: 'Example News',
    image: 'https://news.example/img/cover.png',
  });
});

test('without Open Graph: twitter: cards, then <title> and meta description', () => {
  assert.deepEqual(
    parsePageMetadata(
      '<head><meta name="twitter:title" content="Card"><meta name="twitter:image" content="https://cdn.example/a.jpg"><title>T</title></head>',
      page,
    ),
    { title: 'Card', image: 'https://cdn.example/a.jpg' },
  );
  assert.deepEqual(parsePageMetadata('<html><head><title> Just a title </title><meta name="description" content="Words."></head>', page), {
    title: 'Just a title',
    description: 'Words.',
  });
  // A drawing's <title> inside an inline SVG is not the page's.
  assert.deepEqual(parsePageMetadata('<head><svg><title>icon</title></svg><title>Page</title></head>', page), { title: 'Page' });
});

test('entities are decoded (to plain text, which clients escape)', () => {
  const meta = parsePageMetadata(
    `<head><title>Tom &amp; Jerry &#8212; &quot;fun&quot; &copy;</title>
     <meta property="og:description" content="&lt;b&gt;bold&lt;/b&gt; &#x4E0A;&#x6D77; &eacute;t&eacute;"></head>`,
    page,
  );
  assert.equal(meta.title, 'Tom & Jerry — "fun" ©');
  assert.equal(meta.description, '<b>bold</b> 上海 été');
});

test('lengths are bounded on whole characters; images only over http(s), <base href> honoured', () => {
  const long = '字'.repeat(TITLE_MAX + 50);
  const meta = parsePageMetadata(
    `<head><base href="https://static.example/base/"><title>${long}</title><meta name="description" content="${'d '.repeat(DESCRIPTION_MAX)}">
     <meta property="og:image" content="pic.png"></head>`,
    page,
  );
  assert.equal(Array.from(meta.title!).length, TITLE_MAX);
  assert.ok(meta.title!.endsWith('…'));
  assert.ok(Array.from(meta.description!).length <= DESCRIPTION_MAX);
  assert.equal(meta.image, 'https://static.example/base/pic.png');
  assert.equal(parsePageMetadata('<head><meta property="og:image" content="javascript:alert(1)"><title>x</title></head>', page).image, undefined);
  assert.equal(parsePageMetadata('<head><meta property="og:image" content="data:image/png;base64,AAAA"><title>x</title></head>', page).image, undefined);
});

test('a page cut off inside its head still yields what came before the cut', () => {
  assert.deepEqual(parsePageMetadata('<html><head><meta property="og:title" content="Early"><title>Cut of', page), { title: 'Early' });
  assert.deepEqual(parsePageMetadata('<html><head><title>Cut of', page), { title: 'Cut of' });
});

test('the charset comes from the header, else the page, else UTF-8', () => {
  const gbk = Buffer.from([0x3c, 0x74, 0x69, 0x74, 0x6c, 0x65, 0x3e, 0xc9, 0xcf, 0xba, 0xa3, 0x3c, 0x2f, 0x74, 0x69, 0x74, 0x6c, 0x65, 0x3e]); // <title>上海</title> in GBK
  assert.equal(parsePageMetadata(decodeHtml(gbk, 'text/html; charset=GBK'), page).title, '上海');
  const withMeta = Buffer.concat([Buffer.from('<head><meta charset="gbk">'), gbk]);
  assert.equal(parsePageMetadata(decodeHtml(withMeta, 'text/html'), page).title, '上海');
  assert.equal(parsePageMetadata(decodeHtml(Buffer.from('<title>上海</title>'), 'text/html'), page).title, '上海');
  assert.equal(parsePageMetadata(decodeHtml(Buffer.from('<title>x</title>'), 'text/html; charset=no-such-charset'), page).title, 'x');
});

test('the first http(s) link of a text: www. as https, not inside code, explicit links too', () => {
  assert.equal(firstLink('look at https://Example.COM:443/a?b=1#frag and http://second.example'), 'https://example.com/a?b=1');
  assert.equal(firstLink('see www.example.org/page.'), 'https://www.example.org/page');
  assert.equal(firstLink('plain example.com is not a link, nor ftp://files.example, but http://x.example/ is'), 'http://x.example/');
  assert.equal(firstLink('`https://in.code.example` then https://after.example/p'), 'https://after.example/p');
  assert.equal(firstLink('```\nhttps://fenced.example\n```\n'), null);
  assert.equal(firstLink('[the docs](https://docs.example/x) and https://later.example'), 'https://docs.example/x');
  assert.equal(firstLink('http://[::1]:8080/x'), 'http://[::1]:8080/x');
  assert.equal(firstLink('no links here, just a@b.example'), null);
  assert.equal(firstLink(''), null);
});

test('normalized URLs: http(s) only, no credentials, no fragment, bounded', () => {
  assert.equal(normalizeUrl('HTTPS://EXAMPLE.com:443/Path#x'), 'https://example.com/Path');
  assert.equal(normalizeUrl('http://user:pw@example.com/'), null);
  assert.equal(normalizeUrl('file:///etc/passwd'), null);
  assert.equal(normalizeUrl('javascript:alert(1)'), null);
  assert.equal(normalizeUrl(`https://example.com/${'a'.repeat(3000)}`), null);
});
