/**
 * The web client's people rules (web/src/lib/groupRoles.ts): which buttons a
 * group shows to whom (the server decides; these only choose what to offer), member order, mute
 * state and the offered lengths. Plain TypeScript, no browser.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { byRoleThenName, inviteLifetimes, isMuted, mayModerate, maySetRoles, muteHours, roleIn } from '../../web/src/lib/groupRoles';

describe('web people: group roles', () => {
  test('roles come from the session; without a roles map the creator owns the group', () => {
    const roles = { o: 'owner', a: 'admin' } as const;
    assert.equal(roleIn(roles, 'creator', 'o'), 'owner');
    assert.equal(roleIn(roles, 'creator', 'a'), 'admin');
    assert.equal(roleIn(roles, 'creator', 'creator'), 'member', 'a handed-over group: the map wins over the creator');
    assert.equal(roleIn(undefined, 'creator', 'creator'), 'owner');
    assert.equal(roleIn(undefined, 'creator', 'x'), 'member');
  });

  test('the owner moderates anyone else, admins plain members, members nobody', () => {
    assert.equal(mayModerate('owner', 'admin', false), true);
    assert.equal(mayModerate('owner', 'member', false), true);
    assert.equal(mayModerate('owner', 'owner', true), false, 'not oneself');
    assert.equal(mayModerate('admin', 'member', false), true);
    assert.equal(mayModerate('admin', 'admin', false), false);
    assert.equal(mayModerate('admin', 'owner', false), false);
    assert.equal(mayModerate('member', 'member', false), false);
  });

  test('only the owner sets roles, never their own', () => {
    assert.equal(maySetRoles('owner', false), true);
    assert.equal(maySetRoles('owner', true), false);
    assert.equal(maySetRoles('admin', false), false);
    assert.equal(maySetRoles('member', false), false);
  });

  test('members list the owner, then admins, then members, by name', () => {
    const list = [
      { role: 'member', nickname: 'bob' },
      { role: 'admin', nickname: 'zoe' },
      { role: 'member', nickname: 'amy' },
      { role: 'owner', nickname: 'yan' },
      { role: 'admin', nickname: 'carl' },
    ] as const;
    assert.deepEqual(
      [...list].sort(byRoleThenName).map((m) => m.nickname),
      ['yan', 'carl', 'zoe', 'amy', 'bob'],
    );
  });

  test('a mute is on until its end; mute lengths and link lifetimes are the offered ones', () => {
    assert.equal(isMuted(2000, 1000), true);
    assert.equal(isMuted(1000, 1000), false);
    assert.equal(isMuted(undefined, 1000), false);
    assert.equal(isMuted(null, 1000), false);
    assert.deepEqual([...muteHours], [1, 8, 24]);
    assert.deepEqual(
      inviteLifetimes.map((l) => l.seconds),
      [3600, 86_400, 604_800, 2_592_000],
    );
  });
});
