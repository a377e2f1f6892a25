import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ObjectId } from 'mongodb';
import { MessageSearch } from '../../storage/MessageSearch';
import { SearchTermsBackfill } from '../../storage/SearchTermsBackfill';
import { parseSearchQuery, searchTermsOf, MAX_TERMS_PER_MESSAGE } from '../../storage/searchTerms';
import type { MessageDoc } from '../../storage/documents';
import { openTestDatabase, type TestDatabase } from '../support/mongo';

describe('search terms', () => {
  test('CJK runs as overlapping pairs plus the last character; words folded', () => {
    assert.deepEqual(searchTermsOf('我家在上海东边'), ['我家', '家在', '在上', '上海', '海东', '东边', '边']);
    assert.deepEqual(searchTermsOf('Hiking on Sunday? Café ＡＢＣ'), ['hiking', 'on', 'sunday', 'cafe', 'abc']);
    assert.deepEqual(searchTermsOf('abc上海x'), ['abc', '上海', '海', 'x']);
    assert.deepEqual(searchTermsOf('東京に行く'), ['東京', '京に', 'に行', '行く', 'く']);
    assert.deepEqual(searchTermsOf('서울 가요'), ['서울', '울', '가요', '요']);
    assert.ok(searchTermsOf(Array.from({ length: 2000 }, (_, i) => `w${i}`).join(' ')).length <= MAX_TERMS_PER_MESSAGE);
  });

  test('queries: pairs exact, one CJK character and a last word of 3+ characters as prefixes', () => {
    assert.deepEqual(parseSearchQuery('上海东边'), { terms: ['上海', '海东', '东边'], prefixes: [] });
    assert.deepEqual(parseSearchQuery('东'), { terms: [], prefixes: ['东'] });
    assert.deepEqual(parseSearchQuery('on Hik'), { terms: ['on'], prefixes: ['hik'] });
    assert.deepEqual(parseSearchQuery('hi'), { terms: ['hi'], prefixes: [] });
  });
});

describe('MessageSearch and the backfill', () => {
  let t: TestDatabase;
  const sessionid = new ObjectId().toHexString();
  const doc = (seq: number, content: string, dateline: number, extra: Partial<MessageDoc> = {}): MessageDoc => ({
    _id: new ObjectId(), sessionid, seq, senduid: 'u', nickname: 'U', msgtype: 0, content, size: 1, uuid: `m${seq}`, dateline, ...extra,
  });
  before(async () => {
    t = await openTestDatabase();
  });
  after(async () => t?.close());

  test('messages stored before search get their terms once; deleted ones are never found', async () => {
    await t.db.messages.insertMany([doc(1, '我家在上海东边', 1000), doc(2, 'old hiking note', 1001), doc(3, '上海 gone', 1002, { deleted: true } as Partial<MessageDoc>)]);
    const search = new MessageSearch(t.db);
    assert.equal((await search.search({ text: '上海', sessionids: [sessionid], limit: 10 })).length, 0, 'not indexed yet');
    assert.equal(await new SearchTermsBackfill(t.db).run(), 3);
    assert.equal(await new SearchTermsBackfill(t.db).run(), 0, 'recorded: runs once');
    const found = await search.search({ text: '上海', sessionids: [sessionid], limit: 10 });
    assert.deepEqual(found.map((m) => m.seq), [1]);
    assert.equal(found[0].terms, undefined, 'terms are not handed out');
    assert.deepEqual((await search.search({ text: 'hik', sessionids: [sessionid, 'other'], limit: 10 })).map((m) => m.seq), [2]);
  });

  test('pages of messages stored in one millisecond: before + beforeId neither skip nor repeat', async () => {
    const same = Array.from({ length: 25 }, (_, i) => doc(100 + i, `same ms ${i}`, 5000, { terms: searchTermsOf(`same ms ${i}`) }));
    await t.db.messages.insertMany(same);
    const search = new MessageSearch(t.db);
    const seen: string[] = [];
    let before: number | undefined;
    let beforeId: string | undefined;
    for (;;) {
      const page = await search.search({ text: 'same ms', sessionids: [sessionid], before, beforeId, limit: 4 });
      seen.push(...page.map((m) => m._id.toHexString()));
      if (page.length < 4) break;
      before = page[page.length - 1].dateline;
      beforeId = page[page.length - 1]._id.toHexString();
    }
    assert.equal(new Set(seen).size, 25);
    assert.equal(seen.length, 25);
  });
});
