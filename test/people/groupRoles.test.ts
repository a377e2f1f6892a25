import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ObjectId } from 'mongodb';
import type { SessionDoc } from '../../storage/documents';
import { activeMutes, heirOf, ownerOf, rolesOf, standingOf } from '../../signaling/sessions/groupRoles';

const group = (extra: Partial<SessionDoc>): SessionDoc => ({
  _id: new ObjectId(),
  senduid: 'creator',
  sessiontype: 1,
  visabletype: 0,
  jointype: 0,
  name: 'g',
  dateline: 0,
  uids: ['creator', 'a', 'b'],
  lastSeq: 0,
  lastActivity: 0,
  ...extra,
});

test('a group stored before roles: its creator is the owner, derived', () => {
  const legacy = group({});
  assert.equal(standingOf(legacy, 'creator'), 'owner');
  assert.equal(ownerOf(legacy), 'creator');
  assert.deepEqual(rolesOf(legacy), { creator: 'owner' });
  // With admins stored but no owner, still the creator.
  assert.deepEqual(rolesOf(group({ roles: { a: 'admin' } })), { creator: 'owner', a: 'admin' });
});

test('a stored owner wins over the creator; a creator who left and came back is a member', () => {
  const handedOver = group({ roles: { a: 'owner', creator: 'admin' } });
  assert.equal(ownerOf(handedOver), 'a');
  assert.equal(standingOf(handedOver, 'creator'), 'admin');
  const inherited = group({ roles: { b: 'owner' }, uids: ['a', 'b', 'creator'] });
  assert.equal(standingOf(inherited, 'creator'), 'member');
  assert.deepEqual(rolesOf(inherited), { b: 'owner' });
});

test('a group stored before roles whose creator left: the first admin, else the first member, is owner', () => {
  assert.deepEqual(rolesOf(group({ uids: ['a', 'b', 'c'], roles: { c: 'admin' } })), { c: 'owner' });
  assert.deepEqual(rolesOf(group({ uids: ['a', 'b'] })), { a: 'owner' });
  assert.equal(ownerOf(group({ uids: [] })), undefined);
});

test('private chats have no roles; the heir is the first admin in joining order, else the first member', () => {
  assert.deepEqual(rolesOf(group({ sessiontype: 0 })), {});
  assert.equal(heirOf(group({ uids: ['creator', 'a', 'b', 'c'], roles: { c: 'admin', b: 'admin' } }), 'creator'), 'b');
  assert.equal(heirOf(group({ uids: ['creator', 'a', 'b'] }), 'creator'), 'a');
  assert.equal(heirOf(group({ uids: ['creator'] }), 'creator'), undefined);
});

test('mutes count only while they last, and only for members', () => {
  const now = 1_000_000;
  assert.deepEqual(activeMutes(group({ mutes: { a: now + 1, b: now - 1, gone: now + 5 } }), now), { a: now + 1 });
});
