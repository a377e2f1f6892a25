import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { collect, connectSocket, createGroup, sendText, sessionToken, type TestSocket, type TestUser } from '../support/client';
import { sleep } from '../support/wait';
import { caller, refused, usePeopleServer, users, type Call } from './peopleSteps';

let url: string;
let call: Call;
const sockets: TestSocket[] = [];

usePeopleServer(sockets, (u) => {
  url = u;
  call = caller(u);
});

async function closedGroup(owner: TestUser, admin?: TestUser): Promise<string> {
  const group = await createGroup(url, owner, 'Invite only', { jointype: 1, visabletype: 0 });
  if (admin) {
    await call(owner, 'POST', `/api/sessions/${group.sessionid}/members`, { uid: admin.uid });
    await call(owner, 'PATCH', `/api/sessions/${group.sessionid}/members/${admin.uid}`, { role: 'admin' });
  }
  return group.sessionid;
}

describe('invite links (S26)', () => {
  test('an admin makes a link; anyone with it previews and joins an invitation-only group; members are told', async () => {
    const [own, adm, guest] = await users(url, 'Own', 'Adm', 'Guest');
    const sid = await closedGroup(own, adm);
    const made = await call(adm, 'POST', `/api/sessions/${sid}/invites`, { expiresIn: 3600 });
    assert.equal(made.status, 201);
    const { code, expiresAt } = made.body;
    assert.match(code, /^[A-Za-z0-9_-]{22}$/, '128 random bits, base64url');
    assert.ok(Math.abs(expiresAt - (Date.now() + 3600_000)) < 60_000);
    const listed = (await call(own, 'GET', `/api/sessions/${sid}/invites`)).body.invites as { code: string; createdBy: string }[];
    assert.deepEqual(listed.map((i) => [i.code, i.createdBy]), [[code, adm.uid]]);

    const preview = await call(guest, 'GET', `/api/invites/${code}`);
    assert.equal(preview.status, 200);
    assert.equal(preview.body.session.sessionid, sid);
    assert.equal(preview.body.session.memberCount, 2);
    assert.equal(preview.body.session.uids, undefined, 'the preview names no members');
    refused(await call(guest, 'GET', `/api/sessions/${sid}`), 403, 'not_member', 'the group itself stays closed');

    const ownSocket = await connectSocket(url, own.token);
    const guestSocket = await connectSocket(url, guest.token);
    sockets.push(ownSocket, guestSocket);
    const told = collect(ownSocket, 'session:update', 1, (e) => e.session.sessionid === sid && e.session.uids.includes(guest.uid));
    const joinEvent = collect(ownSocket, 'message:update', 1, (u) => u.sessionid === sid && u.kind === 'member' && u.uid === guest.uid);
    const joined = await call(guest, 'POST', `/api/invites/${code}/join`);
    assert.equal(joined.status, 200);
    assert.ok(joined.body.session.uids.includes(guest.uid));
    await told;
    assert.equal((await joinEvent)[0]!.action, 'join');
    // Joining again with the link changes nothing.
    assert.equal((await call(guest, 'POST', `/api/invites/${code}/join`)).status, 200);
    // The newcomer's socket is in the room at once: it writes.
    assert.ok((await sendText(guestSocket, await sessionToken(url, guest, sid), 'hello, I was invited')).msgid);
  });

  test('a plain member cannot make, list or revoke links', async () => {
    const [own, mem] = await users(url, 'Own', 'Mem');
    const sid = await closedGroup(own);
    await call(own, 'POST', `/api/sessions/${sid}/members`, { uid: mem.uid });
    const { code } = (await call(own, 'POST', `/api/sessions/${sid}/invites`, {})).body;
    refused(await call(mem, 'POST', `/api/sessions/${sid}/invites`, {}), 403, 'forbidden');
    refused(await call(mem, 'GET', `/api/sessions/${sid}/invites`), 403, 'forbidden');
    refused(await call(mem, 'DELETE', `/api/sessions/${sid}/invites/${code}`), 403, 'forbidden');
    refused(await call(own, 'POST', `/api/sessions/${sid}/invites`, { expiresIn: 0 }), 400, 'invalid_input');
  });

  test('an expired link answers 404 invite_expired; a revoked or unknown one 404 invite_not_found', async () => {
    const [own, late, other] = await users(url, 'Own', 'Late', 'Other');
    const sid = await closedGroup(own);
    const short = (await call(own, 'POST', `/api/sessions/${sid}/invites`, { expiresIn: 1 })).body.code;
    await sleep(1200);
    refused(await call(late, 'POST', `/api/invites/${short}/join`), 404, 'invite_expired', 'joining');
    refused(await call(late, 'GET', `/api/invites/${short}`), 404, 'invite_expired', 'previewing');
    assert.deepEqual((await call(own, 'GET', `/api/sessions/${sid}/invites`)).body.invites, [], 'expired links are not listed');

    const revoked = (await call(own, 'POST', `/api/sessions/${sid}/invites`, {})).body.code;
    assert.equal((await call(own, 'DELETE', `/api/sessions/${sid}/invites/${revoked}`)).status, 204);
    refused(await call(other, 'POST', `/api/invites/${revoked}/join`), 404, 'invite_not_found', 'revoked');
    refused(await call(own, 'DELETE', `/api/sessions/${sid}/invites/${revoked}`), 404, 'invite_not_found', 'revoking twice');
    refused(await call(other, 'POST', `/api/invites/${'A'.repeat(22)}/join`), 404, 'invite_not_found', 'unknown');
    refused(await call(other, 'POST', '/api/invites/short/join'), 400, 'invalid_input', 'malformed');
    assert.ok(!(await call(own, 'GET', `/api/sessions/${sid}`)).body.session.uids.includes(other.uid));
  });

  test('a banned user cannot use a link', async () => {
    const [own, bad] = await users(url, 'Own', 'Bad');
    const sid = await closedGroup(own);
    await call(own, 'POST', `/api/sessions/${sid}/members`, { uid: bad.uid });
    await call(own, 'POST', `/api/sessions/${sid}/bans`, { uid: bad.uid });
    const { code } = (await call(own, 'POST', `/api/sessions/${sid}/invites`, {})).body;
    refused(await call(bad, 'POST', `/api/invites/${code}/join`), 403, 'banned');
    await call(own, 'DELETE', `/api/sessions/${sid}/bans/${bad.uid}`);
    assert.equal((await call(bad, 'POST', `/api/invites/${code}/join`)).status, 200);
  });

  test('links need a signed-in user', async () => {
    assert.equal((await fetch(`${url}/api/invites/${'A'.repeat(22)}`)).status, 401);
  });
});
