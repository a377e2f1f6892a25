/**
 * Request bodies (issue 10, finding 11): a body whose Content-Encoding does not decode is the
 * client's error (400 invalid_input, not a 500), and JSON is accepted in UTF-8 only (415 otherwise,
 * utf-7 included, which body-parser used to decode).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { registerUser, type TestUser } from '../support/client';
import { startServer, type RunningServer } from '../support/server';
import { rawRequest } from './rawHttp';

let server: RunningServer;
let alice: TestUser;

before(async () => {
  server = await startServer();
  alice = await registerUser(server.url, 'Alice');
});
after(() => server.stop());

const post = (path: string, body: Buffer | string, headers: Record<string, string>) =>
  rawRequest(`${server.url}${path}`, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });

describe('compressed request bodies', () => {
  for (const encoding of ['gzip', 'deflate', 'br']) {
    test(`a corrupt ${encoding} body is a 400 invalid_input in the error shape`, async () => {
      const res = await post('/api/login', Buffer.from('this is not compressed at all, just garbage bytes'), { 'content-encoding': encoding });
      assert.equal(res.status, 400, res.body.toString());
      assert.equal(res.json?.error?.code, 'invalid_input');
      assert.equal(typeof res.json.error.message, 'string');
    });
  }

  test('a gzip body cut short is a 400 too', async () => {
    const whole = gzipSync(JSON.stringify({ login: alice.login, password: alice.password }));
    const res = await post('/api/login', whole.subarray(0, whole.length - 6), { 'content-encoding': 'gzip' });
    assert.equal(res.status, 400);
    assert.equal(res.json?.error?.code, 'invalid_input');
  });

  test('valid gzip, deflate and brotli bodies are still read', async () => {
    const json = JSON.stringify({ login: alice.login, password: alice.password });
    for (const [encoding, bytes] of [
      ['gzip', gzipSync(json)],
      ['deflate', deflateSync(json)],
      ['br', brotliCompressSync(json)],
    ] as const) {
      const res = await post('/api/login', bytes, { 'content-encoding': encoding });
      assert.equal(res.status, 200, `${encoding}: ${res.body.toString()}`);
      assert.equal(res.json.user.uid, alice.uid);
    }
  });

  test('the server keeps serving after corrupt bodies', async () => {
    const res = await rawRequest(`${server.url}/healthz`);
    assert.equal(res.status, 200);
  });
});

describe('JSON charset', () => {
  const credentials = () => JSON.stringify({ login: alice.login, password: alice.password });

  for (const charset of ['utf-7', 'UTF-7', 'utf-16', 'utf-16le', 'iso-8859-1', '"utf-7"']) {
    test(`charset=${charset} is refused with 415 invalid_input`, async () => {
      const res = await post('/api/login', credentials(), { 'content-type': `application/json; charset=${charset}` });
      assert.equal(res.status, 415, res.body.toString());
      assert.equal(res.json?.error?.code, 'invalid_input');
    });
  }

  test('a utf-7 body that would decode to markup is not decoded', async () => {
    // "+ADw-b+AD4-" is "<b>" in UTF-7: it must never reach the database as a nickname.
    const res = await rawRequest(`${server.url}/api/me`, {
      method: 'PATCH',
      body: JSON.stringify({ nickname: '+ADw-b+AD4-x' }),
      headers: { 'content-type': 'application/json; charset=utf-7', authorization: `Bearer ${alice.token}` },
    });
    assert.equal(res.status, 415);
    const me = await rawRequest(`${server.url}/api/me`, { headers: { authorization: `Bearer ${alice.token}` } });
    assert.equal(me.json.user.nickname, 'Alice');
  });

  for (const contentType of ['application/json', 'application/json; charset=utf-8', 'application/json; charset=UTF-8', 'application/json;charset="utf-8"']) {
    test(`${contentType} is accepted`, async () => {
      const res = await post('/api/login', credentials(), { 'content-type': contentType });
      assert.equal(res.status, 200, res.body.toString());
    });
  }
});
