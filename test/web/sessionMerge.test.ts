/**
 * A conversation fetched from the server merging with what the web client holds
 * (web/src/lib/sessionMerge.ts): a list answered from an older moment than messages the socket
 * delivered must not take back their counts. No browser needed.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { SessionView } from '../../signaling/protocol/models';
import { mergeSession } from '../../web/src/lib/sessionMerge';

function session(fields: Partial<SessionView>): SessionView {
  return { sessionid: 's1', sessiontype: 1, visabletype: 0, jointype: 0, name: 'Two devices', senduid: 'bob', dateline: 1000, uids: ['alice', 'bob'], lastSeq: 0, ...fields } as SessionView;
}

describe('web sessions: merging a fetched conversation', () => {
  test('a new conversation is taken as it comes', () => {
    const incoming = session({ lastSeq: 4, unread: 2, readSeq: 2 });
    assert.deepEqual(mergeSession(undefined, incoming), incoming);
  });

  test('a list older than messages counted since keeps our counts, counter and preview', () => {
    const known = session({ lastSeq: 3, unread: 3, unreadMentions: 1, readSeq: 0, lastMessage: { seq: 3, time: 5000 } as SessionView['lastMessage'] });
    const merged = mergeSession(known, session({ lastSeq: 0, unread: 0, unreadMentions: 0, readSeq: 0, name: 'Renamed' }));
    assert.equal(merged.unread, 3);
    assert.equal(merged.unreadMentions, 1);
    assert.equal(merged.lastSeq, 3);
    assert.equal(merged.lastMessage?.seq, 3);
    assert.equal(merged.lastActivity, 5000);
    // what the fetch does know better still comes through
    assert.equal(merged.name, 'Renamed');
  });

  test('a list as new as ours or newer brings the server counts', () => {
    const known = session({ lastSeq: 3, unread: 3, readSeq: 0 });
    assert.equal(mergeSession(known, session({ lastSeq: 3, unread: 1, readSeq: 2 })).unread, 1);
    assert.equal(mergeSession(known, session({ lastSeq: 5, unread: 5, readSeq: 0 })).unread, 5);
  });

  test('an update without counts leaves them as they are', () => {
    const known = session({ lastSeq: 3, unread: 2, unreadMentions: 1, readSeq: 1 });
    const merged = mergeSession(known, session({ lastSeq: 3, name: 'New name' }));
    assert.equal(merged.unread, 2);
    assert.equal(merged.unreadMentions, 1);
    assert.equal(merged.readSeq, 1);
  });

  test('the read position never moves back; read to the end clears the counts', () => {
    const readHere = session({ lastSeq: 3, unread: 0, readSeq: 3 });
    const merged = mergeSession(readHere, session({ lastSeq: 3, unread: 3, readSeq: 0 }));
    assert.equal(merged.readSeq, 3);
    assert.equal(merged.unread, 0);
    // read on another device up to a seq beyond what this client counted from an older list
    const counted = session({ lastSeq: 3, unread: 3, readSeq: 0 });
    const elsewhere = mergeSession(counted, session({ lastSeq: 2, unread: 0, readSeq: 3 }));
    assert.equal(elsewhere.unread, 0);
    assert.equal(elsewhere.unreadMentions, 0);
  });
});
