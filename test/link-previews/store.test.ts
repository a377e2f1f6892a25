import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { LinkPreviewStore } from '../../storage/LinkPreviewStore';
import { openTestDatabase, type TestDatabase } from '../support/mongo';

let t: TestDatabase;
before(async () => {
  t = await openTestDatabase();
});
after(() => t.close());

test('previews and failures are cached by URL until their TTL, with an index that removes stale ones', async () => {
  const store = new LinkPreviewStore(t.db);
  const now = Date.now();
  await store.putPreview('https://a.example/', { title: 'A', imageFileId: 'f'.repeat(24) }, 60_000, now);
  await store.putFailure('https://b.example/', 'timeout', 10_000, now);
  assert.deepEqual(await store.get('https://a.example/', now + 1000), { ok: true, preview: { title: 'A', imageFileId: 'f'.repeat(24) } });
  assert.deepEqual(await store.get('https://b.example/', now + 1000), { ok: false, reason: 'timeout' });
  assert.equal(await store.get('https://b.example/', now + 10_001), null, 'a stale failure is tried again');
  assert.equal(await store.get('https://a.example/', now + 60_001), null);
  assert.equal(await store.get('https://c.example/'), null);
  // A failure replaces a preview whole.
  await store.putFailure('https://a.example/', 'http_status', 10_000, now);
  const doc = await t.db.linkPreviews.findOne({ _id: 'https://a.example/' });
  assert.equal(doc?.title, undefined);
  assert.equal(doc?.imageFileId, undefined);
  const indexes = await t.db.linkPreviews.indexes();
  assert.ok(indexes.some((i) => i.key.expiresAt === 1 && i.expireAfterSeconds === 0), JSON.stringify(indexes));
});
