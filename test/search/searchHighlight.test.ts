import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { highlightParts } from '../../web/src/lib/searchHighlight';

const marked = (text: string, query: string) => highlightParts(text, query).filter((p) => p.hit).map((p) => p.text);

describe('search result highlighting (web)', () => {
  test('marks Chinese words inside a sentence, English words case-insensitively', () => {
    assert.deepEqual(marked('我家在上海东边', '上海'), ['上海']);
    assert.deepEqual(marked('我家在上海东边', '上海东边'), ['上海东边']);
    assert.deepEqual(marked('Hiking on Sunday?', 'hik'), ['Hik']);
    assert.deepEqual(marked('Hiking on Sunday?', 'on sunday'), ['on', 'Sunday']);
  });

  test('the whole text comes back, as text parts, cut around the first match when long', () => {
    const text = '<b>x</b> & 上海';
    assert.equal(highlightParts(text, '上海').map((p) => p.text).join(''), text);
    const long = `${'a '.repeat(300)}target ${'b '.repeat(300)}`;
    const parts = highlightParts(long, 'target');
    assert.equal(parts[0].text, '…');
    assert.ok(parts.some((p) => p.hit && p.text === 'target'));
    assert.ok(parts.map((p) => p.text).join('').length < 300);
  });
});
