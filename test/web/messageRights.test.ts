/**
 * Who may do what to a message in the web client's menu (web/src/lib/messageRights.ts), against
 * PROTOCOL.md "Conversation events": the author edits text; the author or a group's owner/admin
 * deletes; any member of a private chat pins, only owners/admins in a group. No browser needed.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { MessageView, SessionView } from '../../signaling/protocol';
import { canDelete, canEdit, canPin, hasMenu, hasReacted, isGroupModerator, lastEditable, quoteLine } from '../../web/src/lib/messageRights';

const message = (over: Partial<MessageView> = {}): MessageView => ({
  msgid: 'm1',
  sessionid: 's1',
  seq: 1,
  senduid: 'alice',
  nickname: 'Alice',
  msgtype: 0,
  msg: 'hello',
  time: 0,
  size: 5,
  uuid: 'u1',
  reactions: [],
  ...over,
});

const session = (over: Partial<SessionView> & { roles?: Record<string, string> } = {}): SessionView => ({
  sessionid: 's1',
  sessiontype: 1,
  visabletype: 1,
  jointype: 0,
  name: 'Group',
  senduid: 'owner',
  dateline: 0,
  uids: ['owner', 'alice', 'bob', 'admin'],
  lastSeq: 1,
  ...over,
});

test('the author edits text messages and captions; nobody edits calls, live announcements or tombstones', () => {
  assert.equal(canEdit(message(), 'alice'), true);
  assert.equal(canEdit(message(), 'bob'), false);
  assert.equal(canEdit(message({ msgtype: 1, msg: 'caption' }), 'alice'), true);
  for (const msgtype of [5, 6, 7] as const) assert.equal(canEdit(message({ msgtype }), 'alice'), false, `msgtype ${msgtype}`);
  assert.equal(canEdit(message({ deleted: true, msg: '' }), 'alice'), false);
  assert.equal(hasMenu(message({ deleted: true })), false);
});

test('the author, the group creator and owners/admins of the roles map delete; plain members do not', () => {
  const group = session({ roles: { admin: 'admin' } });
  assert.equal(canDelete(message(), 'alice', group), true);
  assert.equal(canDelete(message(), 'bob', group), false);
  assert.equal(canDelete(message(), 'owner', group), true);
  assert.equal(canDelete(message(), 'admin', group), true);
  // a private chat has no moderators: only the author
  const direct = session({ sessiontype: 0, senduid: 'bob', recvuid: 'alice', uids: ['alice', 'bob'] });
  assert.equal(canDelete(message(), 'bob', direct), false);
  assert.equal(isGroupModerator(direct, 'bob'), false);
});

test('pins: any member of a private chat; owners and admins of a group', () => {
  const direct = session({ sessiontype: 0, senduid: 'bob', recvuid: 'alice', uids: ['alice', 'bob'] });
  assert.equal(canPin(direct, 'alice'), true);
  assert.equal(canPin(direct, 'carol'), false);
  const group = session({ roles: { admin: 'admin' } });
  assert.equal(canPin(group, 'owner'), true);
  assert.equal(canPin(group, 'admin'), true);
  assert.equal(canPin(group, 'bob'), false);
  assert.equal(canPin(undefined, 'owner'), false);
});

test('Up edits the newest own text message, skipping files, tombstones and others', () => {
  const list = [
    message({ msgid: 'a', seq: 1, msg: 'first' }),
    message({ msgid: 'b', seq: 2, msg: 'second' }),
    message({ msgid: 'c', seq: 3, msgtype: 1, msg: 'photo.jpg' }),
    message({ msgid: 'd', seq: 4, deleted: true, msg: '' }),
    message({ msgid: 'e', seq: 5, senduid: 'bob', msg: 'not mine' }),
  ];
  assert.equal(lastEditable(list, 'alice')?.msgid, 'b');
  assert.equal(lastEditable(list, 'carol'), undefined);
});

test('reaction state and quote lines', () => {
  const reacted = message({ reactions: [{ emoji: '👍', count: 2, uids: ['bob', 'alice'] }] });
  assert.equal(hasReacted(reacted, '👍', 'alice'), true);
  assert.equal(hasReacted(reacted, '❤️', 'alice'), false);
  assert.equal(hasReacted(reacted, '👍', 'carol'), false);
  assert.equal(quoteLine('two\n\nlines   here'), 'two lines here');
  assert.equal(quoteLine('字'.repeat(10), 5), '字字字字…');
});
