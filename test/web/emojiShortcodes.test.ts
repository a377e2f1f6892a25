/**
 * Emoji shortcodes in the composer (web/src/lib/emojiShortcodes.ts) over the table the build makes
 * from emojibase-data (web/vite-plugins/emojiShortcodes.ts): the aliases people type, ranking,
 * where a `:query` starts, and a completed `:code:`. No browser needed.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { completedShortcodeAt, ShortcodeTable, shortcodeQueryAt, startsShortcode } from '../../web/src/lib/emojiShortcodes';
import { buildShortcodeTable } from '../../web/vite-plugins/emojiShortcodes';

const table = new ShortcodeTable(buildShortcodeTable());

describe('emoji shortcodes: the table', () => {
  test('the aliases people type name the emoji they expect', () => {
    const expected: Record<string, string> = {
      thumbsup: '👍',
      '+1': '👍',
      thumbsdown: '👎',
      '-1': '👎',
      smile: '😄',
      joy: '😂',
      heart: '❤️',
      tada: '🎉',
      fire: '🔥',
      Smile: '😄',
    };
    for (const [code, emoji] of Object.entries(expected)) assert.equal(table.emojiOf(code), emoji, code);
    assert.equal(table.emojiOf('no_such_code'), undefined);
  });

  test('each code names one emoji, skin-tone components are left out', () => {
    const rows = buildShortcodeTable();
    const codes = rows.flatMap(([, c]) => c.split(' '));
    assert.equal(new Set(codes).size, codes.length);
    assert.ok(rows.length > 1_500, `${rows.length} emoji`);
    assert.ok(!rows.some(([emoji]) => /^\p{Emoji_Modifier}$/u.test(emoji)));
  });

  test('search: exact code first, then prefixes, shorter first; bounded', () => {
    const thumbs = table.search('thumbs');
    assert.deepEqual(thumbs.slice(0, 2).map((m) => m.emoji), ['👍', '👎']);
    assert.equal(thumbs[0]!.code, 'thumbsup');
    assert.equal(table.search('joy')[0]!.emoji, '😂');
    assert.equal(table.search('+1')[0]!.emoji, '👍');
    // a word inside a code matches too
    assert.ok(table.search('eyes').some((m) => m.code.includes('_eyes')));
    assert.equal(table.search('a', 8).length, 8);
    assert.deepEqual(table.search('zzzzzz'), []);
  });
});

describe('emoji shortcodes: what the caret is in', () => {
  const at = (text: string) => shortcodeQueryAt(text, text.length);

  test('a colon and two characters open the list', () => {
    assert.deepEqual(at(':th'), { start: 0, query: 'th' });
    assert.deepEqual(at('hello :thumbs'), { start: 6, query: 'thumbs' });
    assert.deepEqual(at('(:+1'), { start: 1, query: '+1' });
    assert.equal(at(':t'), undefined);
    assert.equal(at(':'), undefined);
  });

  test('times, URLs and words with colons do not', () => {
    assert.equal(at('at 12:30'), undefined);
    assert.equal(at('http://example'), undefined);
    assert.equal(at('key:value'), undefined);
    assert.equal(at(':thumbs up'), undefined);
  });

  test('the query ends at the caret, not at the end of the text', () => {
    const text = 'a :smi and more';
    assert.deepEqual(shortcodeQueryAt(text, 6), { start: 2, query: 'smi' });
    assert.equal(shortcodeQueryAt(text, text.length), undefined);
  });

  test('a completed :code: is found at its closing colon', () => {
    assert.deepEqual(completedShortcodeAt('nice :+1:', 9), { start: 5, query: '+1' });
    assert.deepEqual(completedShortcodeAt(':thumbsup:', 10), { start: 0, query: 'thumbsup' });
    assert.equal(completedShortcodeAt('at 10:30:', 9), undefined);
    assert.equal(completedShortcodeAt('::', 2), undefined);
  });

  test('one code character is enough to start loading the table', () => {
    assert.equal(startsShortcode(':t', 2), true);
    assert.equal(startsShortcode('hi :', 4), false);
    assert.equal(startsShortcode('12:3', 4), false);
  });
});
