import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createGroup, http, registerUser, type TestUser } from '../support/client';
import { startServer, type RunningServer } from '../support/server';

let server: RunningServer;
let url: string;
let user: TestUser;

before(async () => {
  server = await startServer();
  url = server.url;
  user = await registerUser(url, 'Namer');
});
after(() => server.stop());

const bad: [string, string][] = [
  ['a right-to-left override', 'evil\u202Egnp.exe'],
  ['a left-to-right embedding', '\u202Aname'],
  ['a first-strong isolate', 'iso\u2068late\u2069'],
  ['a control character', 'bell\u0007'],
  ['a line break', 'two\nlines'],
  ['only zero-width spaces', '\u200B\u200B\u200B'],
  ['only joiners and spaces', ' \u200D \u200C \u2060 '],
  ['only a Hangul filler', '\u3164'],
  ['only whitespace', '   '],
];

let n = 0;
for (const [what, name] of bad) {
  test(`names with ${what} are refused everywhere with invalid_input`, async () => {
    const login = `names${Date.now().toString(36)}${n++}@example.test`;
    const register = await http(url, 'POST', '/api/users', { body: { login, nickname: name, password: 'violet harbor 58 lanterns' } });
    assert.equal(register.status, 400);
    assert.equal(register.body.error.code, 'invalid_input');
    assert.match(register.body.error.message, /^nickname: /);

    const patch = await http(url, 'PATCH', '/api/me', { token: user.token, body: { nickname: name } });
    assert.equal(patch.body.error?.code, 'invalid_input');
    assert.equal((await http(url, 'GET', '/api/me', { token: user.token })).body.user.nickname, 'Namer');

    const group = await http(url, 'POST', '/api/sessions', { token: user.token, body: { name } });
    assert.equal(group.body.error?.code, 'invalid_input');
    assert.match(group.body.error.message, /^name: /);

    const existing = await createGroup(url, user, `Kept ${n}`);
    const rename = await http(url, 'PATCH', `/api/sessions/${existing.sessionid}`, { token: user.token, body: { name } });
    assert.equal(rename.body.error?.code, 'invalid_input');
    assert.equal((await http(url, 'GET', `/api/sessions/${existing.sessionid}`, { token: user.token })).body.session.name, `Kept ${n}`);
  });
}

test('names are stored in NFC, trimmed; emoji with joiners and non-Latin scripts are fine', async () => {
  const decomposed = '  Jose\u0301  '; // e + combining acute
  const res = await http(url, 'PATCH', '/api/me', { token: user.token, body: { nickname: decomposed } });
  assert.equal(res.status, 200);
  assert.equal(res.body.user.nickname, 'Jos\u00E9');
  const family = await http(url, 'POST', '/api/sessions', { token: user.token, body: { name: '\u{1F468}\u200D\u{1F469}\u200D\u{1F467} 家族 עברית' } });
  assert.equal(family.status, 201);
  assert.equal(family.body.session.name, '\u{1F468}\u200D\u{1F469}\u200D\u{1F467} 家族 עברית');
});
