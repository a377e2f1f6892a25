/**
 * The messages on hand per conversation, sorted by seq and deduplicated by seq and msgid, so
 * replays from `sync` or a reconnect never show a message twice. A message first built from a
 * send acknowledgement is "provisional" until the server's pushed copy takes its place.
 */
import { reactive } from 'vue';
import type { MessageUpdate, MessageView } from '@protocol';

const state = reactive({
  messages: {} as Record<string, MessageView[]>,
  /** Membership events (join, leave...) seen live, in sync or with history pages, by seq: the chat shows them as lines. */
  memberEvents: {} as Record<string, MessageUpdate[]>,
  /** Pinned messages known from change events while their page was not loaded (the pinned list shows them too). */
  pinnedElsewhere: {} as Record<string, Record<string, MessageView>>,
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

/** A change to a message whose page is not loaded: only whether it is pinned matters here. */
function notePinned(message: MessageView): void {
  const pins = (state.pinnedElsewhere[message.sessionid] ??= {});
  const known = pins[message.msgid];
  if (known && (known.version ?? known.seq) > (message.version ?? message.seq)) return;
  if (message.pinned && !message.deleted) pins[message.msgid] = message;
  else delete pins[message.msgid];
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
    if (!list || index < 0) {
      notePinned(message);
      return;
    }
    if ((list[index].version ?? list[index].seq) > (message.version ?? message.seq)) return;
    list.splice(index, 1, message);
  },

  /** A membership event, once, in seq order. */
  addMemberEvent(update: MessageUpdate): void {
    const list = (state.memberEvents[update.sessionid] ??= []);
    let i = list.length - 1;
    while (i >= 0 && list[i]!.seq > update.seq) i--;
    if (i >= 0 && list[i]!.seq === update.seq) return;
    list.splice(i + 1, 0, update);
  },

  memberEventsOf(sessionid: string): readonly MessageUpdate[] {
    return state.memberEvents[sessionid] ?? [];
  },

  /** The conversation's pinned messages on hand, newest first. */
  pinnedOf(sessionid: string): MessageView[] {
    const loaded = state.messages[sessionid] ?? [];
    const elsewhere = Object.values(state.pinnedElsewhere[sessionid] ?? {}).filter((m) => !loaded.some((l) => l.msgid === m.msgid));
    return [...loaded.filter((m) => m.pinned && !m.deleted), ...elsewhere].sort((a, b) => b.seq - a.seq);
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
    delete state.memberEvents[sessionid];
    delete state.pinnedElsewhere[sessionid];
  },

  reset(): void {
    state.messages = {};
    state.memberEvents = {};
    state.pinnedElsewhere = {};
    provisional.clear();
  },
};
