/**
 * Catching up after a (re)connect: `sync` answers what arrived after each conversation's cursor, at
 * most one page at a time (`more: true` when capped), so it is called again from the advanced
 * cursors until the server has nothing more.
 */
import type { ChatSocket } from './connection';
import { socketRequest } from '@/lib/socketRequest';
import { isRetryable } from '@/lib/requestError';
import { applyUpdate, receive } from './incoming';
import { messages } from './messages';
import { sessions } from './sessions';

const SYNC_TIMEOUT_MS = 15_000;
/** Retryable failures (rate limit, timeout) in a row tolerated per page, with a growing pause. */
const MAX_RETRIES = 5;
const RETRY_FIRST_MS = 500;

/** Per conversation, the last seq on hand; `reached` holds what this catch-up has seen so far. */
function cursors(reached: Map<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const session of Object.values(sessions.state.sessions)) {
    // an open chat needs every message after its newest one; elsewhere the counter is enough
    const onHand = messages.newestSeq(session.sessionid) ?? session.lastSeq;
    out[session.sessionid] = Math.max(onHand, reached.get(session.sessionid) ?? 0);
  }
  return out;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Fetches every message missed while away; answers whether it got to the end. */
export async function syncMissed(socket: ChatSocket): Promise<boolean> {
  let retries = 0;
  const reached = new Map<string, number>();
  for (;;) {
    // cut off: the reconnect runs a catch-up of its own
    if (!socket.connected) return false;
    let page;
    try {
      page = await socketRequest(socket, 'sync', { cursors: cursors(reached) }, SYNC_TIMEOUT_MS);
    } catch (error) {
      if (!isRetryable(error) || ++retries > MAX_RETRIES) return false;
      await pause(RETRY_FIRST_MS * 2 ** (retries - 1));
      continue;
    }
    retries = 0;
    // messages and change events share the conversation's seq: a page may be all changes
    const events = [...page.messages.map((message) => ({ seq: message.seq, message })), ...(page.updates ?? []).map((update) => ({ seq: update.seq, update }))];
    for (const event of events.sort((a, b) => a.seq - b.seq)) {
      const sessionid = 'message' in event ? event.message.sessionid : event.update.sessionid;
      reached.set(sessionid, Math.max(reached.get(sessionid) ?? 0, event.seq));
      if ('message' in event) receive(event.message);
      else applyUpdate(event.update);
    }
    // nothing received would not move the cursors: asking again would answer the same
    if (!page.more || !events.length) return true;
  }
}
