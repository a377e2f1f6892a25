import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { connectSocket, createGroup, emitAck, sendText, sessionToken, type TestSocket } from '../support/client';
import { waitFor } from '../support/wait';
import { caller, refused, usePeopleServer, users, type Call } from './peopleSteps';

let url: string;
let call: Call;
const sockets: TestSocket[] = [];

usePeopleServer(sockets, (u) => {
  url = u;
  call = caller(u);
});

async function socketOf(user: { token: string }): Promise<TestSocket> {
  const socket = await connectSocket(url, user.token);
  sockets.push(socket);
  return socket;
}

describe('blocks (S26)', () => {
  test('block, list, unblock; blocking ends a friendship and pending requests', async () => {
    const [ann, ben, cat] = await users(url, 'Ann', 'Ben', 'Cat');
    await call(ann, 'POST', '/api/friends/requests', { uid: ben.uid });
    await call(ben, 'POST', `/api/friends/requests/${ann.uid}/accept`);
    await call(cat, 'POST', '/api/friends/requests', { uid: ann.uid });

    assert.deepEqual((await call(ann, 'POST', '/api/blocks', { uid: ben.uid })).body, { uid: ben.uid, blocked: true });
    assert.equal((await call(ann, 'POST', '/api/blocks', { uid: cat.uid })).status, 200);
    const list = (await call(ann, 'GET', '/api/blocks')).body.blocks as { uid: string; presence: string; login?: string }[];
    assert.deepEqual(list.map((u) => u.uid).sort(), [ben.uid, cat.uid].sort());
    assert.ok(list.every((u) => u.presence && u.login === undefined));
    const friends = (await call(ann, 'GET', '/api/friends')).body;
    assert.deepEqual([friends.friends, friends.incoming, friends.outgoing], [[], [], []], 'friendship and request gone');
    assert.deepEqual((await call(ben, 'GET', '/api/friends')).body.friends, [], 'on both sides');
    assert.deepEqual((await call(ben, 'GET', '/api/blocks')).body.blocks, [], 'a block is the blocker’s list only');

    refused(await call(ann, 'POST', '/api/blocks', { uid: ann.uid }), 400, 'invalid_input', 'blocking yourself');
    refused(await call(ann, 'POST', '/api/blocks', { uid: 'b'.repeat(24) }), 404, 'user_not_found', 'unknown user');

    assert.deepEqual((await call(ann, 'DELETE', `/api/blocks/${ben.uid}`)).body, { uid: ben.uid, blocked: false });
    assert.deepEqual((await call(ann, 'GET', '/api/blocks')).body.blocks.map((u: { uid: string }) => u.uid), [cat.uid]);
    // Unblocked: friends again only by a new request.
    assert.equal((await call(ben, 'POST', '/api/friends/requests', { uid: ann.uid })).body.state, 'outgoing');
  });

  test('a blocked user cannot open a private chat with the blocker, nor the blocker with them', async () => {
    const [dov, eve] = await users(url, 'Dov', 'Eve');
    await call(dov, 'POST', '/api/blocks', { uid: eve.uid });
    refused(await call(eve, 'POST', '/api/sessions/private', { uid: dov.uid }), 403, 'blocked', 'the blocked user');
    refused(await call(dov, 'POST', '/api/sessions/private', { uid: eve.uid }), 403, 'blocked', 'the blocker');
    await call(dov, 'DELETE', `/api/blocks/${eve.uid}`);
    assert.equal((await call(eve, 'POST', '/api/sessions/private', { uid: dov.uid })).status, 200, 'after unblocking');
  });

  test('in an existing private chat, sends and edits are refused `blocked` both ways; reading stays', async () => {
    const [fay, gus] = await users(url, 'Fay', 'Gus');
    const chat = (await call(fay, 'POST', '/api/sessions/private', { uid: gus.uid })).body.session;
    const [faySocket, gusSocket] = await Promise.all([socketOf(fay), socketOf(gus)]);
    const [fayToken, gusToken] = await Promise.all([sessionToken(url, fay, chat.sessionid), sessionToken(url, gus, chat.sessionid)]);
    const earlier = await sendText(gusSocket, gusToken, 'before the block');
    assert.ok(earlier.msgid);

    await call(fay, 'POST', '/api/blocks', { uid: gus.uid });
    const fromBlocked = await sendText(gusSocket, gusToken, 'after the block');
    assert.equal(fromBlocked.error?.code, 'blocked', 'the blocked user cannot message the blocker');
    const fromBlocker = await sendText(faySocket, fayToken, 'to someone I blocked');
    assert.equal(fromBlocker.error?.code, 'blocked', 'nor the blocker the blocked user (unblock first)');
    const edit = await emitAck(gusSocket, 'message:edit', { sessionToken: gusToken, msgid: earlier.msgid, msg: 'edited' });
    assert.equal(edit.error?.code, 'blocked');
    const history = await call(fay, 'GET', `/api/sessions/${chat.sessionid}/messages`);
    assert.deepEqual(history.body.messages.map((m: { msg: string }) => m.msg), ['before the block']);

    await call(fay, 'DELETE', `/api/blocks/${gus.uid}`);
    assert.ok((await sendText(gusSocket, gusToken, 'after unblocking')).msgid);
  });

  test('a blocked user cannot befriend the blocker or add them to a group; shared groups refuse nothing', async () => {
    const [hal, ida, jon] = await users(url, 'Hal', 'Ida', 'Jon');
    const group = await createGroup(url, ida, 'Shared', { jointype: 0 });
    await call(ida, 'POST', `/api/sessions/${group.sessionid}/members`, { uid: jon.uid });
    await call(hal, 'POST', '/api/blocks', { uid: ida.uid });

    refused(await call(ida, 'POST', '/api/friends/requests', { uid: hal.uid }), 403, 'blocked', 'befriending');
    refused(await call(ida, 'POST', `/api/sessions/${group.sessionid}/members`, { uid: hal.uid }), 403, 'blocked', 'adding the blocker');
    // Someone else may add the blocker; in the shared group both write as usual.
    assert.equal((await call(jon, 'POST', `/api/sessions/${group.sessionid}/members`, { uid: hal.uid })).status, 200);
    const [idaSocket, halSocket] = await Promise.all([socketOf(ida), socketOf(hal)]);
    assert.ok((await sendText(idaSocket, await sessionToken(url, ida, group.sessionid), 'hello group')).msgid);
    assert.ok((await sendText(halSocket, await sessionToken(url, hal, group.sessionid), 'hi')).msgid);
    // The blocker may add the one they blocked (the refusal protects the blocker only).
    const other = await createGroup(url, hal, 'Hal’s', { jointype: 1 });
    assert.equal((await call(hal, 'POST', `/api/sessions/${other.sessionid}/members`, { uid: ida.uid })).status, 200);
  });

  test('a private call across a block is refused `blocked`', async () => {
    const [kim, lee] = await users(url, 'Kim', 'Lee');
    const chat = (await call(kim, 'POST', '/api/sessions/private', { uid: lee.uid })).body.session;
    await call(lee, 'POST', '/api/blocks', { uid: kim.uid });
    const kimSocket = await socketOf(kim);
    // The media workers may still be starting (media_unavailable): the block answer comes once they run.
    const answer = await waitFor(
      'a call:start answer other than media_unavailable',
      async () => {
        const res = await emitAck(kimSocket, 'call:start', { sessionid: chat.sessionid, kind: 'voice' });
        return res?.error?.code === 'media_unavailable' ? false : res;
      },
      60_000,
      1000,
    );
    assert.equal(answer.error?.code, 'blocked');
  });
});
