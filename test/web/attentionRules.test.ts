/**
 * Who gets alerted of what, and the mention helpers of the composer and message bubbles
 * (web/src/lib/attentionRules.ts, issue 13). No browser needed.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  attentionCount,
  matchMentionable,
  mentionQueryAt,
  mentionsInText,
  muteHolds,
  shouldNotifyMessage,
  splitMentions,
} from '../../web/src/lib/attentionRules';
import { titleWithCount } from '../../web/src/lib/titleBadge';

describe('attention: notification rules', () => {
  const base = { hidden: true, mine: false, muted: false, mentionsMe: false, busy: false };

  test('a message in a hidden tab notifies; a visible tab or our own message never does', () => {
    assert.equal(shouldNotifyMessage(base), true);
    assert.equal(shouldNotifyMessage({ ...base, hidden: false }), false);
    assert.equal(shouldNotifyMessage({ ...base, mine: true }), false);
    assert.equal(shouldNotifyMessage({ ...base, mine: true, mentionsMe: true }), false);
  });

  test('muted or busy: only mentions', () => {
    assert.equal(shouldNotifyMessage({ ...base, muted: true }), false);
    assert.equal(shouldNotifyMessage({ ...base, busy: true }), false);
    assert.equal(shouldNotifyMessage({ ...base, muted: true, mentionsMe: true }), true);
    assert.equal(shouldNotifyMessage({ ...base, busy: true, mentionsMe: true }), true);
  });

  test('a mute with an end lapses; one without holds', () => {
    const now = 1_000_000;
    assert.equal(muteHolds(true, undefined, now), true);
    assert.equal(muteHolds(true, now + 1, now), true);
    assert.equal(muteHolds(true, now - 1, now), false);
    assert.equal(muteHolds(false, now + 1, now), false);
    assert.equal(muteHolds(undefined, undefined, now), false);
  });

  test('the count: unread messages, only mentions in muted conversations', () => {
    assert.equal(
      attentionCount([
        { unread: 3, unreadMentions: 0, muted: false },
        { unread: 10, unreadMentions: 2, muted: true },
        { muted: false },
      ]),
      5,
    );
  });

  test('the title carries the count and drops it at zero', () => {
    assert.equal(titleWithCount('Chats · CookIM', 3), '(3) Chats · CookIM');
    assert.equal(titleWithCount('(3) Chats · CookIM', 4), '(4) Chats · CookIM');
    assert.equal(titleWithCount('(4) Chats · CookIM', 0), 'Chats · CookIM');
    assert.equal(titleWithCount('CookIM', 120), '(99+) CookIM');
  });
});

describe('attention: mentions', () => {
  test('the @query before the caret: at the start or after a space, not inside a word or an address', () => {
    assert.deepEqual(mentionQueryAt('@', 1), { start: 0, query: '' });
    assert.deepEqual(mentionQueryAt('hi @bo', 6), { start: 3, query: 'bo' });
    assert.deepEqual(mentionQueryAt('你好，@小', 5), { start: 3, query: '小' });
    assert.equal(mentionQueryAt('mail me at a@b', 14), undefined);
    assert.equal(mentionQueryAt('@bob done', 9), undefined);
  });

  const members = [
    { uid: 'u1', nickname: 'Bob' },
    { uid: 'u2', nickname: 'Robert' },
    { uid: 'u3', nickname: '小明' },
  ];

  test('members match by nickname, starts-with first, case-insensitive', () => {
    assert.deepEqual(
      matchMentionable(members, 'b').map((m) => m.uid),
      ['u1', 'u2'],
    );
    assert.deepEqual(
      matchMentionable(members, '明').map((m) => m.uid),
      ['u3'],
    );
    assert.equal(matchMentionable(members, '').length, 3);
  });

  test('only picks whose @name is still in the text are sent', () => {
    assert.deepEqual(mentionsInText('hi @Bob and @小明', members), ['u1', 'u3']);
    assert.deepEqual(mentionsInText('hi Bob', members), []);
  });

  test('@names split out of text, the longest name first, the reader marked', () => {
    const parts = splitMentions('@Bobby and @Bob, hi @小明!', [
      { name: 'Bob', me: false },
      { name: 'Bobby', me: true },
      { name: '小明', me: false },
    ]);
    assert.deepEqual(parts, [
      { text: '@Bobby', mention: 'me' },
      { text: ' and ' },
      { text: '@Bob', mention: 'other' },
      { text: ', hi ' },
      { text: '@小明', mention: 'other' },
      { text: '!' },
    ]);
    assert.deepEqual(splitMentions('no mentions', [{ name: 'Bob', me: false }]), [{ text: 'no mentions' }]);
  });
});
