import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { registerUser } from '../support/client';
import { startServer, type RunningServer } from '../support/server';
import { httpFrom } from './fromAddress';

// 127.0.0.2 and up reach a server listening on 127.0.0.1 (all of 127/8 is loopback on Linux).
const OWNER = '127.0.0.1';
const ATTACKER = '127.0.0.2';

let server: RunningServer;

before(async () => {
  // A low slow-down threshold, so the attacks below also cross it: slowed, the owner still signs in.
  server = await startServer({ env: { SIGNIN_FREE_FAILURES: '5', SIGNIN_SLOWDOWN_AFTER: '8', SIGNIN_SLOWDOWN_MS: '200' } });
});
after(() => server.stop());

const signIn = (address: string, login: string, password: string) => httpFrom(address, server.url, 'POST', '/api/login', { login, password });

test('wrong passwords from one address make that address wait; the owner elsewhere signs in at once', async () => {
  const owner = await registerUser(server.url, 'Owner');
  const statuses: number[] = [];
  for (let i = 0; i < 12; i++) {
    const res = await signIn(ATTACKER, owner.login, `guess number ${i} here`);
    statuses.push(res.status);
    if (res.status === 429) {
      assert.equal(res.body.error.code, 'rate_limited');
      assert.match(String(res.headers['retry-after']), /^[1-9]\d*$/, 'a 429 says when to come back');
    } else {
      assert.equal(res.status, 401);
    }
  }
  assert.deepEqual(statuses.slice(0, 5), [401, 401, 401, 401, 401], 'the first few failures are answered normally');
  assert.ok(statuses.includes(429), `the attacker is made to wait (${statuses.join(',')})`);

  // Even the right password waits from the attacking address: the pair is throttled, not the password.
  const sameAddress = await signIn(ATTACKER, owner.login, owner.password);
  assert.equal(sameAddress.status, 429);

  const fromOwner = await signIn(OWNER, owner.login, owner.password);
  assert.equal(fromOwner.status, 200, JSON.stringify(fromOwner.body));
  assert.equal(fromOwner.body.user.uid, owner.uid);
});

test('a login attacked from many addresses is slowed, never locked', async () => {
  const owner = await registerUser(server.url, 'Target');
  // 5 addresses x 4 failures: 20 failures, beyond the slow-down threshold, none beyond the per-address allowance.
  for (let a = 2; a <= 6; a++) {
    for (let i = 0; i < 4; i++) {
      const res = await signIn(`127.0.0.${a}`, owner.login, `spray ${a} ${i} attempt`);
      assert.equal(res.status, 401, `address ${a} attempt ${i}: ${JSON.stringify(res.body)}`);
    }
  }
  const fromOwner = await signIn(OWNER, owner.login, owner.password);
  assert.equal(fromOwner.status, 200, JSON.stringify(fromOwner.body));
  // A fresh address may still try, too: nothing refuses the login outright.
  assert.equal((await signIn('127.0.0.7', owner.login, 'one more wrong one')).status, 401);
});

test('a successful sign-in clears that address\'s failures', async () => {
  const owner = await registerUser(server.url, 'Forgetful');
  for (let i = 0; i < 4; i++) assert.equal((await signIn(OWNER, owner.login, `typo ${i} in it`)).status, 401);
  assert.equal((await signIn(OWNER, owner.login, owner.password)).status, 200);
  for (let i = 0; i < 4; i++) assert.equal((await signIn(OWNER, owner.login, `typo again ${i}`)).status, 401);
  assert.equal((await signIn(OWNER, owner.login, owner.password)).status, 200);
});

test('parallel guesses from one address get no more than the free failures checked', async () => {
  const owner = await registerUser(server.url, 'Parallel');
  const results = await Promise.all(Array.from({ length: 20 }, (_, i) => signIn('127.0.0.9', owner.login, `parallel guess ${i}`)));
  const checked = results.filter((r) => r.status === 401).length;
  assert.ok(checked <= 5, `${checked} guesses were checked`);
  assert.equal(results.filter((r) => r.status === 429).length, 20 - checked);
  assert.equal((await signIn(OWNER, owner.login, owner.password)).status, 200);
});
