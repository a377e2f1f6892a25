import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { connectSocket, createGroup, http, joinGroup, registerUser, sessionToken, type TestSocket } from '../support/client';
import { fullHistory, hasRedisServer, startTopology } from '../support/cluster';
import { sleep } from '../support/wait';
import { ConversationState, coversExactly } from './conversationSteps';

/** One acknowledged request of the stream: what it was and the seq it took. */
interface Acked {
  what: 'send' | 'edit' | 'react';
  msgid: string;
  seq: number;
  text?: string;
  emoji?: string;
}

const EMOJI = ['👍', '🎉', '❤️', '😂', '🔥'];

/**
 * Sends messages, edits each once and reacts to each, without waiting for answers in between,
 * until `stopAt` or until the socket dies; answers what was acknowledged.
 */
async function stream(socket: TestSocket, token: string, stopAt: number, prefix: string): Promise<Acked[]> {
  const acked: Acked[] = [];
  const pending: Promise<void>[] = [];
  const call = async (event: string, payload: Record<string, unknown>): Promise<{ msgid: string; seq: number } | null> => {
    try {
      const res = await (socket.timeout(3000) as any).emitWithAck(event, payload);
      return res && !res.error ? res : null;
    } catch {
      return null;
    }
  };
  for (let i = 0; Date.now() < stopAt && socket.connected; i++) {
    const text = `${prefix} ${i}`;
    pending.push(
      (async () => {
        const sent = await call('message:send', { sessionToken: token, msgtype: 0, msg: text, uuid: randomUUID() });
        if (!sent) return;
        acked.push({ what: 'send', msgid: sent.msgid, seq: sent.seq, text });
        const emoji = EMOJI[i % EMOJI.length]!;
        const [edited, reacted] = await Promise.all([
          call('message:edit', { sessionToken: token, msgid: sent.msgid, msg: `${text} (edited)` }),
          call('message:react', { sessionToken: token, msgid: sent.msgid, emoji, on: true }),
        ]);
        if (edited) acked.push({ what: 'edit', msgid: sent.msgid, seq: edited.seq, text: `${text} (edited)` });
        if (reacted) acked.push({ what: 'react', msgid: sent.msgid, seq: reacted.seq, emoji });
      })(),
    );
    await sleep(25);
  }
  await Promise.all(pending);
  return acked;
}

test(
  'kill -9 of the node a client was on mid-stream: it syncs on the other node, every acknowledged change is there, every seq once',
  { timeout: 120_000, skip: !hasRedisServer() && 'redis-server is not installed (npm test installs it as root)' },
  async () => {
    const topo = await startTopology({ nodes: 2, env: { EDIT_RATE_PER_MINUTE: '1000', CHANGE_RATE_PER_MINUTE: '1000' } });
    const [one, two] = topo.nodes as [(typeof topo.nodes)[0], (typeof topo.nodes)[0]];
    try {
      const [a, b] = await Promise.all(['Writer', 'Reader'].map((n) => registerUser(one.url, n)));
      const group = await createGroup(one.url, a!, 'Crash');
      const sessionid = group.sessionid;
      await joinGroup(one.url, b!, sessionid);
      const token = await sessionToken(one.url, a!, sessionid);

      // Writer and reader are both on node one; the reader follows live.
      const reader = new ConversationState(sessionid);
      let bSocket = await connectSocket(one.url, b!.token);
      reader.watch(bSocket);
      await reader.syncFrom(bSocket, 0);
      const aSocket = await connectSocket(one.url, a!.token);
      const writing = stream(aSocket, token, Date.now() + 6000, 'before');
      await sleep(2000);
      await one.kill();
      const before = await writing;
      assert.ok(before.length > 5, `some requests were acknowledged before the crash (${before.length})`);

      // Both come back on node two; the writer goes on a little.
      const aAgain = await connectSocket(two.url, a!.token);
      const after = await stream(aAgain, await sessionToken(two.url, a!, sessionid), Date.now() + 1000, 'after');
      bSocket = await connectSocket(two.url, b!.token);
      const cursor = reader.contiguousUpTo();
      const synced = await reader.syncFrom(bSocket, cursor);
      const lastSeq = (await http(two.url, 'GET', `/api/sessions/${sessionid}`, { token: b!.token })).body.session.lastSeq;
      assert.ok(coversExactly(synced, cursor, lastSeq), `sync covers (${cursor}, ${lastSeq}] once`);

      const seen = new Set(reader.seqs);
      const acked = [...before, ...after];
      for (const x of acked) assert.ok(seen.has(x.seq), `acknowledged ${x.what} at seq ${x.seq} is known to the reader`);
      assert.equal(new Set(acked.map((x) => x.seq)).size, acked.length, 'no seq was given twice');

      const history = await fullHistory(two.url, b!, sessionid);
      assert.deepEqual(reader.ordered(), history, 'the reader ends in the history\'s state');
      const byId = new Map(history.map((m) => [m.msgid, m]));
      for (const x of acked) {
        const m = byId.get(x.msgid);
        assert.ok(m, `acknowledged message ${x.msgid} is stored`);
        if (x.what === 'edit') assert.equal(m.msg, x.text);
        if (x.what === 'react') assert.ok(m.reactions!.some((r) => r.emoji === x.emoji && r.uids.includes(a!.uid)));
        assert.ok((m.version ?? m.seq) >= x.seq);
      }
      aAgain.close();
      bSocket.close();
      aSocket.close();
    } finally {
      await topo.stop();
    }
  },
);
