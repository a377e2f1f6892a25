/** Steps shared by the conversation-event tests (S24): requests that answer `{ error }` as a code. */
import { randomUUID } from 'node:crypto';
import type { SyncResult } from '../../signaling/protocol/events';
import type { MessageUpdate, MessageView } from '../../signaling/protocol/models';
import { emitAck, type TestSocket } from '../support/client';

/** The error code of an `{ error }` answer, or null when the request succeeded. */
export function codeOf(answer: unknown): string | null {
  return answer && typeof answer === 'object' && 'error' in answer ? (answer as { error: { code: string } }).error.code : null;
}

export const edit = (s: TestSocket, sessionToken: string, msgid: string, msg: string) => emitAck(s, 'message:edit', { sessionToken, msgid, msg });
export const del = (s: TestSocket, sessionToken: string, msgid: string) => emitAck(s, 'message:delete', { sessionToken, msgid });
export const react = (s: TestSocket, sessionToken: string, msgid: string, emoji: string, on = true) =>
  emitAck(s, 'message:react', { sessionToken, msgid, emoji, on });
export const pin = (s: TestSocket, sessionToken: string, msgid: string, pinned = true) => emitAck(s, 'message:pin', { sessionToken, msgid, pinned });
export const reply = (s: TestSocket, sessionToken: string, msg: string, replyTo: string) =>
  emitAck(s, 'message:send', { sessionToken, msgtype: 0, msg, uuid: randomUUID(), replyTo });

/** Throws unless the answer succeeded; answers it. */
export function ok<T extends { seq: number }>(answer: T | { error: { code: string; message: string } }): T {
  if (codeOf(answer)) throw new Error(`expected success, got ${JSON.stringify(answer)}`);
  return answer as T;
}

/**
 * What a client knows of one conversation: every message view (the newest version wins, so views
 * applied in any order end the same) and every seq it was told about, live or by sync.
 */
export class ConversationState {
  readonly messages = new Map<string, MessageView>();
  readonly seqs: number[] = [];

  constructor(readonly sessionid: string) {}

  view(view: MessageView): void {
    const current = this.messages.get(view.msgid);
    if (!current || (view.version ?? view.seq) >= (current.version ?? current.seq)) this.messages.set(view.msgid, view);
  }

  /** Follows the conversation live: new messages and their changes. */
  watch(socket: TestSocket): void {
    socket.on('message', (m) => {
      if (m.sessionid !== this.sessionid) return;
      this.seqs.push(m.seq);
      this.view(m);
    });
    socket.on('message:update', (u) => this.update(u));
  }

  update(u: MessageUpdate): void {
    if (u.sessionid !== this.sessionid) return;
    this.seqs.push(u.seq);
    if (u.message) this.view(u.message);
  }

  /** Syncs from `cursor` until the server has nothing more; answers the seqs that came by sync. */
  async syncFrom(socket: TestSocket, cursor: number): Promise<number[]> {
    const got: number[] = [];
    for (;;) {
      const res: SyncResult = await emitAck(socket, 'sync', { cursors: { [this.sessionid]: cursor } });
      if (codeOf(res)) throw new Error(`sync: ${JSON.stringify(res)}`);
      for (const m of res.messages.filter((m) => m.sessionid === this.sessionid)) {
        got.push(m.seq);
        this.view(m);
      }
      for (const u of res.updates.filter((u) => u.sessionid === this.sessionid)) {
        got.push(u.seq);
        if (u.message) this.view(u.message);
      }
      this.seqs.push(...got.filter((s) => s > cursor));
      cursor = Math.max(cursor, ...got);
      if (!res.more) return got;
    }
  }

  /** The highest seq up to which nothing is missing. */
  contiguousUpTo(from = 0): number {
    const seen = new Set(this.seqs);
    let seq = from;
    while (seen.has(seq + 1)) seq++;
    return seq;
  }

  /** The messages oldest first, as history shows them. */
  ordered(): MessageView[] {
    return [...this.messages.values()].sort((a, b) => a.seq - b.seq);
  }
}

/** Every seq in (from, to] exactly once. */
export function coversExactly(seqs: number[], from: number, to: number): boolean {
  const sorted = [...seqs].sort((a, b) => a - b);
  return sorted.length === to - from && sorted.every((s, i) => s === from + 1 + i);
}
