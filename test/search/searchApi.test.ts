import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { connectSocket, createGroup, http, registerUser, sendText, sessionToken, type TestSocket, type TestUser } from '../support/client';
import { startServer, type RunningServer } from '../support/server';
import { del, edit } from '../conversation/conversationSteps';

let server: RunningServer;
let url: string;
let alice: TestUser;
let bob: TestUser;
let eve: TestUser;
let shared: string;
let secret: string;
let eveRoom: string;
let aliceSocket: TestSocket;
let eveSocket: TestSocket;

const search = (user: TestUser, query: Record<string, string | number | undefined>) =>
  http(url, 'GET', `/api/search?${new URLSearchParams(Object.entries(query).filter(([, v]) => v !== undefined).map(([k, v]) => [k, String(v)]))}`, { token: user.token });
const texts = (body: { results: { message: { msg: string } }[] }) => body.results.map((r) => r.message.msg);

before(async () => {
  server = await startServer({ env: { MESSAGE_RATE: '100', MESSAGE_SEARCH_PER_MINUTE: '1000' } });
  url = server.url;
  alice = await registerUser(url, 'Alice');
  bob = await registerUser(url, 'Bob');
  eve = await registerUser(url, 'Eve');
  shared = (await createGroup(url, alice, 'Shared')).sessionid;
  secret = (await createGroup(url, alice, 'Secret', { visabletype: 0, jointype: 1 })).sessionid;
  await http(url, 'POST', `/api/sessions/${shared}/join`, { token: bob.token });
  eveRoom = (await createGroup(url, eve, 'Eve room')).sessionid;
  aliceSocket = await connectSocket(url, alice.token);
  eveSocket = await connectSocket(url, eve.token);
  const sharedToken = await sessionToken(url, alice, shared);
  const secretToken = await sessionToken(url, alice, secret);
  for (const text of ['我家在上海东边', 'Hiking on Sunday?', 'The café is open', 'nothing to see']) await sendText(aliceSocket, sharedToken, text);
  await sendText(aliceSocket, secretToken, '秘密：上海 plans for Sunday');
  await sendText(eveSocket, await sessionToken(url, eve, eveRoom), 'Eve on Sunday in 上海');
});
after(async () => {
  aliceSocket?.close();
  eveSocket?.close();
  await server.stop();
});

describe('GET /api/search', () => {
  test('Chinese words match inside a sentence', async () => {
    const res = await search(bob, { q: '上海' });
    assert.equal(res.status, 200);
    assert.deepEqual(texts(res.body), ['我家在上海东边']);
    assert.equal(res.body.results[0].sessionid, shared);
    assert.equal(res.body.results[0].message.sessionid, shared);
    assert.deepEqual(texts((await search(bob, { q: '东边' })).body), ['我家在上海东边']);
    assert.deepEqual(texts((await search(bob, { q: '上海东边' })).body), ['我家在上海东边']);
    assert.deepEqual(texts((await search(bob, { q: '东' })).body), ['我家在上海东边'], 'one character: any position');
    assert.deepEqual(texts((await search(bob, { q: '海西' })).body), []);
  });

  test('English by word, case and accents folded; the last word as a prefix; no stemming', async () => {
    assert.deepEqual(texts((await search(bob, { q: 'SUNDAY' })).body), ['Hiking on Sunday?']);
    assert.deepEqual(texts((await search(bob, { q: 'cafe' })).body), ['The café is open']);
    assert.deepEqual(texts((await search(bob, { q: 'hik' })).body), ['Hiking on Sunday?'], 'prefix of the last word');
    assert.deepEqual(texts((await search(bob, { q: 'on sun' })).body), ['Hiking on Sunday?']);
    assert.deepEqual(texts((await search(bob, { q: 'sun on' })).body), [], 'only the last word is a prefix');
    // Decision: no stemming. `hike` is not a prefix of "hiking", so it finds nothing.
    assert.deepEqual(texts((await search(bob, { q: 'hike' })).body), []);
    assert.deepEqual(texts((await search(bob, { q: 'is' })).body), ['The café is open'], 'a short last word is exact');
  });

  test("only the caller's conversations, newest first; scoped to one", async () => {
    assert.deepEqual(texts((await search(alice, { q: 'sunday' })).body), ['秘密：上海 plans for Sunday', 'Hiking on Sunday?']);
    assert.deepEqual(texts((await search(alice, { q: 'sunday', sessionid: shared })).body), ['Hiking on Sunday?']);
    assert.deepEqual(texts((await search(eve, { q: '上海' })).body), ['Eve on Sunday in 上海']);
    assert.deepEqual(texts((await search(bob, { q: '秘密' })).body), []);
  });

  test("a conversation the caller is not in answers as its history does", async () => {
    const asSearch = await search(eve, { q: '上海', sessionid: secret });
    const asHistory = await http(url, 'GET', `/api/sessions/${secret}/messages`, { token: eve.token });
    assert.equal(asSearch.status, asHistory.status);
    assert.equal(asSearch.body.error.code, asHistory.body.error.code);
    assert.equal(asSearch.status, 403);
    assert.equal((await search(eve, { q: '上海', sessionid: 'ffffffffffffffffffffffff' })).status, 404);
  });

  test('bad input answers invalid_input; no token answers 401', async () => {
    for (const query of [{}, { q: '' }, { q: '   ' }, { q: 'x'.repeat(201) }, { q: 'a', limit: 0 }, { q: 'a', limit: 101 }, { q: 'a', before: 'soon' }, { q: 'a', sessionid: 'nope' }]) {
      const res = await search(bob, query);
      assert.equal(res.status, 400, JSON.stringify(query));
      assert.equal(res.body.error.code, 'invalid_input');
    }
    assert.equal((await http(url, 'GET', '/api/search?q=x')).status, 401);
    const punctuation = await search(bob, { q: '?!' });
    assert.deepEqual(punctuation.body, { results: [] });
  });

  test('pages with before (and beforeId) without duplicates or gaps', async () => {
    const group = (await createGroup(url, bob, 'Pages')).sessionid;
    const token = await sessionToken(url, bob, group);
    const bobSocket = await connectSocket(url, bob.token);
    try {
      // Sent at once: many share a millisecond.
      const sent = await Promise.all(Array.from({ length: 45 }, (_, i) => sendText(bobSocket, token, `page word ${i}`)));
      const seen: string[] = [];
      let query: Record<string, string | number> = { q: 'page word', sessionid: group, limit: 7 };
      for (;;) {
        const res = await search(bob, query);
        assert.equal(res.status, 200);
        const results = res.body.results as { message: { msgid: string; time: number } }[];
        for (let i = 1; i < results.length; i++) assert.ok(results[i].message.time <= results[i - 1].message.time, 'newest first');
        seen.push(...results.map((r) => r.message.msgid));
        if (results.length < 7) break;
        const last = results[results.length - 1].message;
        query = { ...query, before: last.time, beforeId: last.msgid };
      }
      assert.equal(new Set(seen).size, seen.length, 'no duplicates');
      assert.deepEqual([...seen].sort(), sent.map((a) => a.msgid).sort(), 'no gaps');
    } finally {
      bobSocket.close();
    }
  });

  test('before alone pages messages of distinct times', async () => {
    const first = await search(alice, { q: 'sunday', limit: 1 });
    assert.deepEqual(texts(first.body), ['秘密：上海 plans for Sunday']);
    const next = await search(alice, { q: 'sunday', limit: 1, before: first.body.results[0].message.time });
    assert.deepEqual(texts(next.body), ['Hiking on Sunday?']);
  });

  test('an edited message is found by its new words only; a deleted one not at all', async () => {
    const token = await sessionToken(url, alice, shared);
    const sent = await sendText(aliceSocket, token, 'draft about 北京 trip');
    assert.deepEqual(texts((await search(bob, { q: '北京' })).body), ['draft about 北京 trip']);
    await edit(aliceSocket, token, sent.msgid, 'final about 广州 trip');
    assert.deepEqual(texts((await search(bob, { q: '北京' })).body), []);
    assert.deepEqual(texts((await search(bob, { q: '广州' })).body), ['final about 广州 trip']);
    await del(aliceSocket, token, sent.msgid);
    assert.deepEqual(texts((await search(bob, { q: '广州' })).body), []);
    assert.deepEqual(texts((await search(bob, { q: 'trip' })).body), []);
  });
});
