/**
 * Message markdown (web/src/lib/markdown.ts): the view tree markdown-it's tokens become, which
 * MarkdownText.vue renders as VNodes. Each construct, what stays text (raw HTML, unsafe links,
 * headings, images), the bounds, and the one-line plain-text preview. No browser needed.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MARKDOWN_MAX_CHARS, markdownToPlainText, parseMarkdown, safeLinkHref, type MdNode } from '../../web/src/lib/markdown';

const text = (t: string): MdNode => ({ kind: 'text', text: t });
const para = (...children: MdNode[]): MdNode => ({ kind: 'paragraph', children });

/** Every node kind in a tree, depth first. */
function kinds(nodes: readonly MdNode[]): string[] {
  return nodes.flatMap((n) => [n.kind, ...('children' in n ? kinds(n.children) : [])]);
}

/** The tree's text, as a user would read it. */
function textOf(nodes: readonly MdNode[]): string {
  return nodes.map((n) => ('text' in n ? n.text : n.kind === 'break' ? '\n' : textOf(n.children))).join('');
}

describe('markdown: each construct becomes its view node', () => {
  test('bold, italic, strike and inline code', () => {
    assert.deepEqual(parseMarkdown('**bold** _it_ *it2* ~~s~~ `co*de*`'), [
      para(
        { kind: 'strong', children: [text('bold')] },
        text(' '),
        { kind: 'em', children: [text('it')] },
        text(' '),
        { kind: 'em', children: [text('it2')] },
        text(' '),
        { kind: 'strike', children: [text('s')] },
        text(' '),
        { kind: 'code', text: 'co*de*' },
      ),
    ]);
  });

  test('fenced and indented code blocks keep their text exactly, language noted', () => {
    assert.deepEqual(parseMarkdown('```ts\nconst a = **1**;\n  <b>x</b>\n```'), [
      { kind: 'codeBlock', text: 'const a = **1**;\n  <b>x</b>', lang: 'ts' },
    ]);
    assert.deepEqual(parseMarkdown('    indented\n      more'), [{ kind: 'codeBlock', text: 'indented\n  more', lang: '' }]);
  });

  test('quotes, nested content inside', () => {
    assert.deepEqual(parseMarkdown('> quoted **word**\n> next'), [
      {
        kind: 'quote',
        children: [para(text('quoted '), { kind: 'strong', children: [text('word')] }, { kind: 'break' }, text('next'))],
      },
    ]);
  });

  test('unordered and ordered lists, with their start number', () => {
    assert.deepEqual(parseMarkdown('- one\n- two'), [
      { kind: 'list', ordered: false, start: 1, children: [{ kind: 'item', children: [para(text('one'))] }, { kind: 'item', children: [para(text('two'))] }] },
    ]);
    assert.deepEqual(parseMarkdown('3. three\n4. four'), [
      { kind: 'list', ordered: true, start: 3, children: [{ kind: 'item', children: [para(text('three'))] }, { kind: 'item', children: [para(text('four'))] }] },
    ]);
  });

  test('links: markdown links, bare URLs, www. hosts and e-mail addresses', () => {
    assert.deepEqual(parseMarkdown('[site](https://example.com/a)'), [para({ kind: 'link', href: 'https://example.com/a', children: [text('site')] })]);
    assert.deepEqual(parseMarkdown('see www.example.com.'), [
      para(text('see '), { kind: 'link', href: 'http://www.example.com/', children: [text('www.example.com')] }, text('.')),
    ]);
    assert.deepEqual(parseMarkdown('https://example.com/x?y=1'), [para({ kind: 'link', href: 'https://example.com/x?y=1', children: [text('https://example.com/x?y=1')] })]);
    assert.deepEqual(parseMarkdown('me@example.com'), [para({ kind: 'link', href: 'mailto:me@example.com', children: [text('me@example.com')] })]);
    // bare names with a dot are not links unless they start with www.
    assert.deepEqual(parseMarkdown('node.js and config.io'), [para(text('node.js and config.io'))]);
  });

  test('line breaks are kept; paragraphs stay apart', () => {
    assert.deepEqual(parseMarkdown('a\nb\n\nc'), [para(text('a'), { kind: 'break' }, text('b')), para(text('c'))]);
  });

  test('a chat is not a document: headings, rules, tables, images and entities stay as typed', () => {
    assert.deepEqual(parseMarkdown('# Title'), [para(text('# Title'))]);
    assert.deepEqual(parseMarkdown('Title\n---'), [para(text('Title'), { kind: 'break' }, text('---'))]);
    assert.deepEqual(parseMarkdown('***'), [para(text('***'))]);
    assert.deepEqual(parseMarkdown('| a | b |\n|---|---|\n| 1 | 2 |'), [
      para(text('| a | b |'), { kind: 'break' }, text('|---|---|'), { kind: 'break' }, text('| 1 | 2 |')),
    ]);
    assert.deepEqual(parseMarkdown('&amp; &lt;b&gt;'), [para(text('&amp; &lt;b&gt;'))]);
    // an image is not loaded: its link stays a plain link
    assert.deepEqual(parseMarkdown('![cat](https://example.com/cat.png)'), [
      para(text('!'), { kind: 'link', href: 'https://example.com/cat.png', children: [text('cat')] }),
    ]);
    // a reference definition is text (its URL a plain link), and a reference to it is text
    assert.deepEqual(parseMarkdown('[a]: https://example.com\n\n[a]'), [
      para(text('[a]: '), { kind: 'link', href: 'https://example.com/', children: [text('https://example.com')] }),
      para(text('[a]')),
    ]);
  });
});

describe('markdown: nothing hostile becomes markup or a link', () => {
  const hostile = [
    '<script>alert(1)</script>',
    '<img src=x onerror=alert(1)>',
    '<a href="javascript:alert(1)">x</a>',
    '<div style="position:fixed">x</div>',
    '<!-- comment -->',
  ];
  for (const input of hostile) {
    test(`raw HTML is text: ${input}`, () => {
      const tree = parseMarkdown(input);
      assert.equal(textOf(tree), input);
      assert.deepEqual(kinds(tree), ['paragraph', 'text']);
    });
  }

  const unsafeLinks = [
    '[x](javascript:alert(1))',
    '[x](JaVaScRiPt:alert(1))',
    '[x](java\tscript:alert(1))',
    '[x](data:text/html,<script>alert(1)</script>)',
    '[x](data:image/png;base64,AAAA)',
    '[x](vbscript:msgbox)',
    '[x](file:///etc/passwd)',
    '[x](/relative/path)',
    '[x](//example.com/protocol-relative)',
    '<javascript:alert(1)>',
    'javascript:alert(1)',
    'ftp://example.com/file',
  ];
  for (const input of unsafeLinks) {
    test(`not a link: ${input}`, () => {
      assert.ok(!kinds(parseMarkdown(input)).includes('link'), JSON.stringify(parseMarkdown(input)));
    });
  }

  test('every link in the tree is absolute http, https or mailto', () => {
    const tree = parseMarkdown('[a](http://a.example) [b](https://b.example) <https://c.example> mailto:d@e.example www.f.com');
    const hrefs: string[] = [];
    const walk = (nodes: readonly MdNode[]) => nodes.forEach((n) => (n.kind === 'link' ? hrefs.push(n.href) : 'children' in n && walk(n.children)));
    walk(tree);
    assert.equal(hrefs.length, 5);
    for (const href of hrefs) assert.match(href, /^(https?:\/\/|mailto:)/);
    assert.equal(safeLinkHref('javascript:alert(1)'), undefined);
    assert.equal(safeLinkHref('/x'), undefined);
  });
});

describe('markdown: long and deep input stays fast and keeps its text', () => {
  test('nesting deeper than the bound is shown as typed, nothing dropped', () => {
    const deep = `${'> '.repeat(40)}deep text`;
    assert.equal(textOf(parseMarkdown(deep)), deep);
    const deepList = Array.from({ length: 40 }, (_, i) => `${'  '.repeat(i)}- level ${i}`).join('\n');
    assert.equal(textOf(parseMarkdown(deepList)), deepList);
  });

  test('over the length bound: as typed, unparsed', () => {
    const long = `**${'x'.repeat(MARKDOWN_MAX_CHARS)}**`;
    assert.deepEqual(kinds(parseMarkdown(long)), ['paragraph', 'text']);
  });

  test('pathological 16 KiB messages parse quickly', () => {
    const size = 16 * 1024;
    const inputs = [
      '*a'.repeat(size / 2),
      '_a'.repeat(size / 2),
      '['.repeat(size),
      '[a]('.repeat(size / 4),
      '`a``'.repeat(size / 4),
      '> '.repeat(size / 2),
      '~~a'.repeat(size / 3),
      'www.a.com '.repeat(size / 10),
      'a\n'.repeat(size / 2),
      '<a'.repeat(size / 2),
    ];
    for (const input of inputs) {
      const started = performance.now();
      parseMarkdown(input);
      const took = performance.now() - started;
      assert.ok(took < 1_000, `${JSON.stringify(input.slice(0, 8))}… took ${took.toFixed(0)} ms`);
    }
  });
});

describe('markdown: the one-line plain-text preview', () => {
  const cases: [input: string, preview: string][] = [
    ['**bold** and _it_ ~~gone~~ `code`', 'bold and it gone code'],
    ['```js\nconst a = 1;\nlet b;\n```', 'const a = 1; let b;'],
    ['[the docs](https://example.com/docs)', 'the docs'],
    ['see www.example.com', 'see www.example.com'],
    ['> quoted\nreply', 'quoted reply'],
    ['- one\n- two\n\nafter', 'one two after'],
    ['first\n\n\nsecond', 'first second'],
    ['<b>not bold</b>', '<b>not bold</b>'],
    ['# not a heading', '# not a heading'],
    ['plain 😀 text', 'plain 😀 text'],
  ];
  for (const [input, preview] of cases) {
    test(`${JSON.stringify(input)} -> ${JSON.stringify(preview)}`, () => {
      assert.equal(markdownToPlainText(input), preview);
    });
  }

  test('a huge message previews from its start only', () => {
    const preview = markdownToPlainText(`**start** ${'word '.repeat(20_000)}`);
    assert.ok(preview.startsWith('start word'));
    assert.ok(preview.length < 1_100);
  });
});
