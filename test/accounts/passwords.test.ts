import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { http, registerUser } from '../support/client';
import { startServer, type RunningServer } from '../support/server';

let server: RunningServer;
let url: string;

before(async () => {
  server = await startServer();
  url = server.url;
});
after(() => server.stop());

let n = 0;
const freshLogin = () => `weak${Date.now().toString(36)}${n++}@example.test`;

const weak: [string, (login: string) => string][] = [
  ['a common number run', () => '12345678'],
  ['"password"', () => 'password'],
  ['eight spaces', () => '        '],
  ['one character repeated', () => 'xxxxxxxxxxxx'],
  ['a keyboard row', () => 'qwertyuiop'],
  ['the login itself', (login) => login],
  ['the login\'s name part', (login) => login.split('@')[0]!],
  ['the nickname itself', () => 'Marmalade Sky'],
];

for (const [name, make] of weak) {
  test(`registration refuses ${name} with 400 weak_password and creates nothing`, async () => {
    const login = freshLogin();
    const password = make(login);
    const res = await http(url, 'POST', '/api/users', { body: { login, nickname: 'Marmalade Sky', password } });
    assert.equal(res.status, 400, JSON.stringify(res.body));
    assert.equal(res.body.error.code, 'weak_password');
    assert.ok(res.body.error.message.length > 10, 'the message says why');
    assert.equal((await http(url, 'POST', '/api/login', { body: { login, password } })).status, 401, 'no account was made');
  });
}

test('a strong password is accepted at registration', async () => {
  const res = await http(url, 'POST', '/api/users', { body: { login: freshLogin(), nickname: 'Strong', password: 'violet harbor 58 lanterns' } });
  assert.equal(res.status, 201);
});

test('a password change refuses weak new passwords and keeps the old one', async () => {
  const user = await registerUser(url, 'Changer');
  for (const newPassword of ['12345678', 'password', '        ', user.login]) {
    const res = await http(url, 'POST', '/api/me/password', { token: user.token, body: { oldPassword: user.password, newPassword } });
    assert.equal(res.status, 400, newPassword);
    assert.equal(res.body.error.code, 'weak_password');
  }
  assert.equal((await http(url, 'GET', '/api/me', { token: user.token })).status, 200, 'a refused change revokes nothing');
  assert.equal((await http(url, 'POST', '/api/login', { body: { login: user.login, password: user.password } })).status, 200);
  const ok = await http(url, 'POST', '/api/me/password', { token: user.token, body: { oldPassword: user.password, newPassword: 'quiet meadow 73 kettles' } });
  assert.equal(ok.status, 204);
});
