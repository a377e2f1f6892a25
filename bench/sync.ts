/**
 * `npm run bench -- sync [--events 10000] [--concurrency 32] [--runs 3]`
 *
 * The catch-up of a client that was away (S24): user B reads a group once and goes offline;
 * user A then makes `--events` changes there, mixed like a busy hour of chat (40% sends, 25%
 * edits, 25% reactions added or removed, 10% deletes); B comes back and calls `sync` from its
 * cursor, page after page (`more: true`), as the web client does, until it has everything. The
 * figure is the time from B's first `sync` to its last answer; the run also proves the answers
 * covered every seq from the cursor to `lastSeq` exactly once. Prints JSON lines: the writing
 * phase, then one line per catch-up and their median.
 */
import { randomUUID } from 'node:crypto';
import type { SyncResult } from '../signaling/protocol';
import { connectSocket, createGroup, http, joinGroup, registerUser, request, sessionToken, type TestSocket } from '../test/support/client';
import { startServer } from '../test/support/server';
import { numberArgs, percentile, printJson } from './lib/args';

const args = numberArgs({ events: 10_000, concurrency: 32, runs: 3 });
const EMOJI = ['👍', '❤️', '😂', '🎉'];

/** Runs the tasks with at most `limit` in flight. */
async function pool<T>(tasks: (() => Promise<T>)[], limit: number): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await tasks[i]!();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return results;
}

/** A's changes: blocks of 100 events, each 40 sends then edits, reactions and deletes of them. */
async function write(socket: TestSocket, token: string, total: number): Promise<{ events: number; ms: number }> {
  const started = performance.now();
  let done = 0;
  for (let block = 0; done < total; block++) {
    const size = Math.min(100, total - done);
    const sends = Math.max(1, Math.round(size * 0.4));
    const ids = await pool(
      Array.from({ length: sends }, (_, i) => async () => {
        const ack = await request<{ msgid: string }>(socket, 'message:send', { sessionToken: token, msgtype: 0, msg: `block ${block} message ${i} with a few words`, uuid: randomUUID() });
        return ack.msgid;
      }),
      args.concurrency,
    );
    const rest = size - sends;
    const deletes = Math.round(rest / 6);
    const edits = Math.round((rest - deletes) / 2);
    const reactions = rest - deletes - edits;
    const changes: (() => Promise<unknown>)[] = [];
    for (let i = 0; i < edits; i++) {
      changes.push(() => request(socket, 'message:edit', { sessionToken: token, msgid: ids[i % ids.length], msg: `block ${block} edited ${i}` }));
    }
    for (let i = 0; i < reactions; i++) {
      // the same emoji twice on one message: on, then off (each takes a seq)
      const msgid = ids[Math.floor(i / 2) % ids.length];
      changes.push(() => request(socket, 'message:react', { sessionToken: token, msgid, emoji: EMOJI[Math.floor(i / 2) % EMOJI.length], on: i % 2 === 0 }));
    }
    await pool(changes.slice(0, edits), args.concurrency);
    // on/off pairs in order, pairs in parallel
    await pool(
      Array.from({ length: Math.ceil(reactions / 2) }, (_, p) => async () => {
        await changes[edits + 2 * p]!();
        if (edits + 2 * p + 1 < changes.length) await changes[edits + 2 * p + 1]!();
      }),
      args.concurrency,
    );
    // deletes last, of messages at the end of the block (not the edited or reacted ones)
    await pool(
      Array.from({ length: deletes }, (_, i) => () => request(socket, 'message:delete', { sessionToken: token, msgid: ids[ids.length - 1 - i] })),
      args.concurrency,
    );
    done += size;
  }
  return { events: done, ms: performance.now() - started };
}

/** B's catch-up: sync from the cursor until nothing more, checking every seq came once. */
async function catchUp(url: string, userToken: string, sessionid: string, cursor: number, lastSeq: number) {
  const socket = await connectSocket(url, userToken);
  try {
    const seen = new Set<number>();
    let at = cursor;
    let pages = 0;
    let bytes = 0;
    let messages = 0;
    let updates = 0;
    const started = performance.now();
    for (;;) {
      const page = await request<SyncResult>(socket, 'sync', { cursors: { [sessionid]: at } }, 60_000);
      pages++;
      bytes += JSON.stringify(page).length;
      const events: { seq: number }[] = [...page.messages, ...page.updates];
      for (const { seq } of events) {
        if (seen.has(seq)) throw new Error(`seq ${seq} answered twice`);
        seen.add(seq);
        at = Math.max(at, seq);
      }
      messages += page.messages.length;
      updates += page.updates.length;
      if (!page.more || events.length === 0) break;
    }
    const ms = performance.now() - started;
    for (let seq = cursor + 1; seq <= lastSeq; seq++) if (!seen.has(seq)) throw new Error(`seq ${seq} missing from the catch-up`);
    return { ms, pages, bytes, messages, updates, covered: seen.size };
  } finally {
    socket.disconnect();
  }
}

const server = await startServer({
  env: {
    MESSAGE_RATE: '100000',
    EDIT_RATE_PER_MINUTE: '1000000',
    CHANGE_RATE_PER_MINUTE: '1000000',
    SYNC_RATE: '1000',
    LINK_PREVIEWS: 'off',
  },
});
try {
  const [a, b] = await Promise.all([registerUser(server.url, 'Writer'), registerUser(server.url, 'Reader')]);
  const { sessionid } = await createGroup(server.url, a, 'Sync bench');
  await joinGroup(server.url, b, sessionid);
  // B's cursor: everything up to now (the group's creation and B's join)
  const reader = await connectSocket(server.url, b.token);
  const first = await request<SyncResult>(reader, 'sync', { cursors: { [sessionid]: 0 } });
  const cursor = Math.max(0, ...first.messages.map((m) => m.seq), ...first.updates.map((u) => u.seq));
  reader.disconnect();

  const writer = await connectSocket(server.url, a.token);
  const written = await write(writer, await sessionToken(server.url, a, sessionid), args.events);
  writer.disconnect();
  // the conversation's counter as the server has it (every change took exactly one seq, or this is off)
  const lastSeq: number = (await http(server.url, 'GET', `/api/sessions/${sessionid}`, { token: a.token })).body.session.lastSeq;
  if (lastSeq !== cursor + written.events) throw new Error(`expected lastSeq ${cursor + written.events}, the server has ${lastSeq}`);
  printJson({ bench: 'sync', phase: 'write', events: written.events, ms: Math.round(written.ms), eventsPerS: Math.round((written.events / written.ms) * 1000) });

  const times: number[] = [];
  for (let run = 1; run <= args.runs; run++) {
    const result = await catchUp(server.url, b.token, sessionid, cursor, lastSeq);
    times.push(result.ms);
    printJson({
      bench: 'sync',
      phase: 'catch-up',
      run,
      events: lastSeq - cursor,
      covered: result.covered,
      messages: result.messages,
      updates: result.updates,
      pages: result.pages,
      answerKB: Math.round(result.bytes / 1024),
      ms: Math.round(result.ms),
      eventsPerS: Math.round(((lastSeq - cursor) / result.ms) * 1000),
    });
  }
  times.sort((x, y) => x - y);
  printJson({ bench: 'sync', phase: 'summary', events: lastSeq - cursor, runs: args.runs, medianMs: Math.round(percentile(times, 50)) });
} finally {
  await server.stop();
}
