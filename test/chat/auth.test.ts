import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import jwt from 'jsonwebtoken';
import { connectSocket, http, registerUser } from '../support/client';
import { startServer, type RunningServer } from '../support/server';

const SECRET = 'auth-test-secret';
let server: RunningServer;
let url: string;

before(async () => {
  server = await startServer({ env: { JWT_SECRET: SECRET } });
  url = server.url;
});
after(() => server.stop());

describe('registerUser', () => {
  test('creates an account and answers a token and the user without the password hash', async () => {
    const res = await http(url, 'POST', '/api/users', {
      body: { login: 'Alice@Example.test', nickname: 'Alice', password: 'secret-password', gender: 2 },
    });
    assert.equal(res.status, 201);
    assert.equal(typeof res.body.token, 'string');
    assert.equal(res.body.user.login, 'alice@example.test');
    assert.equal(res.body.user.nickname, 'Alice');
    assert.equal(res.body.user.gender, 2);
    assert.equal(res.body.user.logincount, 1);
    assert.ok(!('passwordHash' in res.body.user) && !('password' in res.body.user));
    const decoded = jwt.verify(res.body.token, SECRET) as { uid: string; exp: number };
    assert.equal(decoded.uid, res.body.user.uid);
    assert.ok(decoded.exp > Date.now() / 1000);
  });

  test('a login taken twice is a 409 duplicate_login and the first account is unchanged', async () => {
    const body = { login: 'twice@example.test', nickname: 'First', password: 'secret-password' };
    assert.equal((await http(url, 'POST', '/api/users', { body })).status, 201);
    const again = await http(url, 'POST', '/api/users', { body: { ...body, nickname: 'Second', password: 'other-password' } });
    assert.equal(again.status, 409);
    assert.equal(again.body.error.code, 'duplicate_login');
    const login = await http(url, 'POST', '/api/login', { body: { login: body.login, password: body.password } });
    assert.equal(login.status, 200);
    assert.equal(login.body.user.nickname, 'First');
  });

  for (const [name, body] of [
    ['a login that is not an email', { login: 'not-an-email', nickname: 'x', password: 'secret-password' }],
    ['a short password', { login: 'short@example.test', nickname: 'x', password: 'short' }],
    ['an empty nickname', { login: 'nonick@example.test', nickname: '   ', password: 'secret-password' }],
    ['a nickname over 32 characters', { login: 'long@example.test', nickname: 'n'.repeat(33), password: 'secret-password' }],
    ['a wrong type', { login: 'types@example.test', nickname: 42, password: 'secret-password' }],
    ['a bad gender', { login: 'gender@example.test', nickname: 'g', password: 'secret-password', gender: 7 }],
  ] as const) {
    test(`rejects ${name} with 400 invalid_input and creates nothing`, async () => {
      const res = await http(url, 'POST', '/api/users', { body });
      assert.equal(res.status, 400);
      assert.equal(res.body.error.code, 'invalid_input');
      assert.equal(typeof res.body.error.message, 'string');
      if (typeof body.login === 'string' && body.login.includes('@')) {
        const login = await http(url, 'POST', '/api/login', { body: { login: body.login, password: 'secret-password' } });
        assert.equal(login.status, 401);
      }
    });
  }

  test('malformed JSON is a 400 invalid_json', async () => {
    const res = await http(url, 'POST', '/api/users', { rawBody: '{"login": "x@y.z", ' });
    assert.equal(res.status, 400);
    assert.equal(res.body.error.code, 'invalid_json');
  });

  test('a body over the limit is a 413', async () => {
    const res = await http(url, 'POST', '/api/users', { rawBody: JSON.stringify({ login: 'big@example.test', nickname: 'x'.repeat(100_000), password: 'p' }) });
    assert.equal(res.status, 413);
    assert.equal(res.body.error.code, 'too_large');
  });
});

describe('loginAction', () => {
  test('the right password answers a token; lastlogin and logincount move', async () => {
    const user = await registerUser(url);
    const res = await http(url, 'POST', '/api/login', { body: { login: user.login.toUpperCase(), password: user.password } });
    assert.equal(res.status, 200);
    assert.equal(res.body.user.uid, user.uid);
    assert.equal(res.body.user.logincount, 2);
    assert.ok(res.body.user.lastlogin >= user.user.lastlogin);
  });

  test('a wrong password and an unknown login are the same 401 wrong_password', async () => {
    const user = await registerUser(url);
    const wrong = await http(url, 'POST', '/api/login', { body: { login: user.login, password: 'not the password' } });
    assert.equal(wrong.status, 401);
    assert.equal(wrong.body.error.code, 'wrong_password');
    const unknown = await http(url, 'POST', '/api/login', { body: { login: 'nobody@example.test', password: 'whatever-password' } });
    assert.equal(unknown.status, 401);
    assert.equal(unknown.body.error.code, 'wrong_password');
    const me = await http(url, 'GET', '/api/me', { token: user.token });
    assert.equal(me.body.user.logincount, 1, 'failed logins are not counted as logins');
  });

  test('repeated wrong passwords are rate limited with 429', async () => {
    const user = await registerUser(url);
    let limited = 0;
    for (let i = 0; i < 14; i++) {
      const res = await http(url, 'POST', '/api/login', { body: { login: user.login, password: `wrong-${i}-password` } });
      if (res.status === 429) {
        limited++;
        assert.equal(res.body.error.code, 'rate_limited');
      }
    }
    assert.ok(limited > 0);
  });
});

describe('tokens', () => {
  test('missing, forged, expired and non-user tokens are refused with their codes', async () => {
    const user = await registerUser(url);
    const missing = await http(url, 'GET', '/api/me');
    assert.equal(missing.status, 401);
    assert.equal(missing.body.error.code, 'unauthorized');

    const forged = jwt.sign({ typ: 'user', uid: user.uid, tv: 0 }, 'some-other-secret', { expiresIn: 3600 });
    const forgedRes = await http(url, 'GET', '/api/me', { token: forged });
    assert.equal(forgedRes.status, 401);
    assert.equal(forgedRes.body.error.code, 'token_invalid');

    const expired = jwt.sign({ typ: 'user', uid: user.uid, tv: 0, exp: Math.floor(Date.now() / 1000) - 10 }, SECRET);
    const expiredRes = await http(url, 'GET', '/api/me', { token: expired });
    assert.equal(expiredRes.status, 401);
    assert.equal(expiredRes.body.error.code, 'token_expired');

    const tampered = user.token.slice(0, -4) + (user.token.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    assert.equal((await http(url, 'GET', '/api/me', { token: tampered })).body.error.code, 'token_invalid');

    const noneAlg = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from(JSON.stringify({ typ: 'user', uid: user.uid, tv: 0 })).toString('base64url')}.`;
    assert.equal((await http(url, 'GET', '/api/me', { token: noneAlg })).status, 401);
  });

  test('the socket handshake refuses bad tokens with the code as connect_error message', async () => {
    const user = await registerUser(url);
    const expired = jwt.sign({ typ: 'user', uid: user.uid, tv: 0, exp: Math.floor(Date.now() / 1000) - 10 }, SECRET);
    await assert.rejects(connectSocket(url, expired), { message: 'token_expired' });
    await assert.rejects(connectSocket(url, 'garbage'), { message: 'token_invalid' });
    await assert.rejects(connectSocket(url, ''), { message: 'unauthorized' });
    const socket = await connectSocket(url, user.token);
    assert.ok(socket.connected);
    socket.close();
  });
});

describe('logoutAction and changePwd', () => {
  test('logout revokes the token on REST and disconnects its sockets', async () => {
    const user = await registerUser(url);
    const socket = await connectSocket(url, user.token);
    const disconnected = new Promise((resolve) => socket.once('disconnect', resolve));
    assert.equal((await http(url, 'POST', '/api/logout', { token: user.token })).status, 204);
    await disconnected;
    const after = await http(url, 'GET', '/api/me', { token: user.token });
    assert.equal(after.status, 401);
    assert.equal(after.body.error.code, 'token_revoked');
    await assert.rejects(connectSocket(url, user.token), { message: 'token_revoked' });
    const again = await http(url, 'POST', '/api/login', { body: { login: user.login, password: user.password } });
    assert.equal((await http(url, 'GET', '/api/me', { token: again.body.token })).status, 200);
  });

  test('changing the password needs the old one, revokes old tokens, and the new one signs in', async () => {
    const user = await registerUser(url);
    const wrong = await http(url, 'POST', '/api/me/password', { token: user.token, body: { oldPassword: 'not it at all', newPassword: 'new-password-1' } });
    assert.equal(wrong.status, 403);
    assert.equal(wrong.body.error.code, 'wrong_password');
    const short = await http(url, 'POST', '/api/me/password', { token: user.token, body: { oldPassword: user.password, newPassword: 'short' } });
    assert.equal(short.status, 400);
    assert.equal((await http(url, 'GET', '/api/me', { token: user.token })).status, 200, 'failed changes revoke nothing');

    const ok = await http(url, 'POST', '/api/me/password', { token: user.token, body: { oldPassword: user.password, newPassword: 'new-password-1' } });
    assert.equal(ok.status, 204);
    assert.equal((await http(url, 'GET', '/api/me', { token: user.token })).body.error.code, 'token_revoked');
    assert.equal((await http(url, 'POST', '/api/login', { body: { login: user.login, password: user.password } })).status, 401);
    assert.equal((await http(url, 'POST', '/api/login', { body: { login: user.login, password: 'new-password-1' } })).status, 200);
  });
});

describe('getUserInfo and updateUserInfo', () => {
  test('another user is shown without their login; unknown and malformed uids fail', async () => {
    const a = await registerUser(url, 'Ann');
    const b = await registerUser(url, 'Bob');
    const res = await http(url, 'GET', `/api/users/${b.uid}`, { token: a.token });
    assert.equal(res.status, 200);
    assert.equal(res.body.user.nickname, 'Bob');
    assert.equal(res.body.user.login, undefined);
    assert.equal((await http(url, 'GET', `/api/users/${'0'.repeat(24)}`, { token: a.token })).body.error.code, 'user_not_found');
    assert.equal((await http(url, 'GET', '/api/users/not-an-id', { token: a.token })).status, 400);
  });

  test('PATCH /api/me changes nickname and gender, rejects unknown fields and bad types', async () => {
    const user = await registerUser(url, 'Before');
    const ok = await http(url, 'PATCH', '/api/me', { token: user.token, body: { nickname: 'After', gender: 1 } });
    assert.equal(ok.status, 200);
    assert.equal(ok.body.user.nickname, 'After');
    assert.equal(ok.body.user.gender, 1);
    const bad = await http(url, 'PATCH', '/api/me', { token: user.token, body: { nickname: 5 } });
    assert.equal(bad.status, 400);
    const extra = await http(url, 'PATCH', '/api/me', { token: user.token, body: { passwordHash: 'x' } });
    assert.equal(extra.status, 400);
    const me = await http(url, 'GET', '/api/me', { token: user.token });
    assert.equal(me.body.user.nickname, 'After');
  });

  test('users can be found by nickname prefix or exact login', async () => {
    const a = await registerUser(url, 'Searcher');
    const target = await registerUser(url, 'Zebedee Unique');
    const byNick = await http(url, 'GET', `/api/users?q=${encodeURIComponent('zebedee')}`, { token: a.token });
    assert.ok(byNick.body.users.some((u: { uid: string }) => u.uid === target.uid));
    const byLogin = await http(url, 'GET', `/api/users?q=${encodeURIComponent(target.login)}`, { token: a.token });
    assert.deepEqual(byLogin.body.users.map((u: { uid: string }) => u.uid), [target.uid]);
    assert.equal((await http(url, 'GET', '/api/users?q=', { token: a.token })).status, 400);
  });
});

test('unknown API paths are a 404 in the error shape', async () => {
  const res = await http(url, 'GET', '/api/nope');
  assert.equal(res.status, 404);
  assert.equal(res.body.error.code, 'not_found');
});
