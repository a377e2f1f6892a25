import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import jwt from 'jsonwebtoken';
import { connectSocket, createGroup, emitAck, http, registerUser, sessionToken } from '../support/client';
import { startServer, type RunningServer } from '../support/server';

let server: RunningServer;
let secret: string;

before(async () => {
  server = await startServer(); // no JWT_SECRET: the server keeps its own in DATA_DIR/jwt-secret
  secret = readFileSync(path.join(server.dataDir, 'jwt-secret'), 'utf8').trim();
});
after(() => server.stop());

test('a user token signed with the server secret but without exp is refused on REST and on the socket', async () => {
  const user = await registerUser(server.url, 'NoExp');
  const withExp = jwt.sign({ typ: 'user', uid: user.uid, tv: 0 }, secret, { expiresIn: 3600 });
  assert.equal((await http(server.url, 'GET', '/api/me', { token: withExp })).status, 200, 'the secret is the server\'s');

  const forever = jwt.sign({ typ: 'user', uid: user.uid, tv: 0 }, secret);
  assert.equal((jwt.decode(forever) as { exp?: number }).exp, undefined);
  const res = await http(server.url, 'GET', '/api/me', { token: forever });
  assert.equal(res.status, 401);
  assert.equal(res.body.error.code, 'token_invalid');
  await assert.rejects(connectSocket(server.url, forever), { message: 'token_invalid' });
});

test('a session token without exp cannot send a message', async () => {
  const user = await registerUser(server.url, 'Sender');
  const group = await createGroup(server.url, user, 'Tokens');
  const socket = await connectSocket(server.url, user.token);
  try {
    const good = await sessionToken(server.url, user, group.sessionid);
    assert.ok((await emitAck(socket, 'message:send', { sessionToken: good, msgtype: 0, msg: 'ok', uuid: 'with-exp' })).seq >= 1);
    const forever = jwt.sign({ typ: 'session', uid: user.uid, tv: 0, sessionid: group.sessionid }, secret);
    const ack = await emitAck(socket, 'message:send', { sessionToken: forever, msgtype: 0, msg: 'never', uuid: 'no-exp' });
    assert.equal(ack.error?.code, 'token_invalid');
    const history = (await http(server.url, 'GET', `/api/sessions/${group.sessionid}/messages`, { token: user.token })).body.messages;
    assert.deepEqual(history.map((m: { msg: string }) => m.msg), ['ok']);
  } finally {
    socket.close();
  }
});
