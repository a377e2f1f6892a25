/**
 * The messages on hand per conversation, sorted by seq and deduplicated by seq and msgid, so
 * replays from `sync` or a reconnect never show a message twice. A message first built from a
 * send acknowledgement is "provisional" until the server's pushed copy takes its place.
 */
import { reactive } from 'vue';
import type { MessageView } from '@protocol';

const state = reactive({
  messages: {} as Record<string, MessageView[]>,
});

/** Messages built locally from a send acknowledgement: the pushed copy (server's fileinfo) replaces them. */
const provisional = new Set<string>();

function listOf(sessionid: string): MessageView[] {
  return (state.messages[sessionid] ??= []);
}

/** Adds a message in seq order; false when it is there already. */
function insert(sessionid: string, message: MessageView): boolean {
  const list = listOf(sessionid);
  // messages arrive mostly in order: search from the end
  let i = list.length - 1;
  while (i >= 0 && list[i]!.seq > message.seq) i--;
  if (i >= 0 && (list[i]!.seq === message.seq || list[i]!.msgid === message.msgid)) return false;
  if (list.some((m) => m.msgid === message.msgid)) return false;
  list.splice(i + 1, 0, message);
  return true;
}

export const messages = {
  state,
  insert,

  /** The loaded messages of a conversation, oldest first (undefined when none were ever loaded). */
  of(sessionid: string): readonly MessageView[] | undefined {
    return state.messages[sessionid];
  },

  has(sessionid: string, msgid: string): boolean {
    return state.messages[sessionid]?.some((m) => m.msgid === msgid) ?? false;
  },

  /** The newest seq on hand, if any. */
  newestSeq(sessionid: string): number | undefined {
    return state.messages[sessionid]?.at(-1)?.seq;
  },

  /** The server's copy of a message: replaces its provisional one, or is added. */
  put(message: MessageView): void {
    const list = listOf(message.sessionid);
    // the first copy of a provisional message is the one built from the acknowledgement itself
    const index = provisional.has(message.msgid) ? list.findIndex((m) => m.msgid === message.msgid) : -1;
    if (index < 0) {
      insert(message.sessionid, message);
      return;
    }
    provisional.delete(message.msgid);
    list.splice(index, 1, message);
  },

  /**
   * A change event's new view of a loaded message (edit, delete, reaction, pin, preview): the view
   * with the highest `version` wins, so updates may arrive in any order or twice.
   */
  replace(message: MessageView): void {
    const list = state.messages[message.sessionid];
    const index = list?.findIndex((m) => m.msgid === message.msgid) ?? -1;
    if (!list || index < 0) return;
    if ((list[index].version ?? list[index].seq) > (message.version ?? message.seq)) return;
    list.splice(index, 1, message);
  },

  /** Shown from an acknowledgement: the server's pushed copy, when it comes, replaces it. */
  markProvisional(msgid: string): void {
    provisional.add(msgid);
  },

  /** The messages as the server has them (none built from an acknowledgement). */
  confirmed(sessionid: string): MessageView[] {
    return (state.messages[sessionid] ?? []).filter((m) => !provisional.has(m.msgid));
  },

  forget(sessionid: string): void {
    delete state.messages[sessionid];
  },

  reset(): void {
    state.messages = {};
    provisional.clear();
  },
};
