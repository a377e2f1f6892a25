/**
 * How a conversation fetched from the server (the list, one conversation, an update) merges with
 * what the client holds. A fetch answered from an older moment must not take back what arrived
 * since over the socket: the newest counter, preview and activity stay, the read position never
 * moves back, and the unread counts stay ours when the fetch predates messages we counted.
 */
import type { MessageView, SessionView } from '@protocol';

/** When the conversation last saw something happen (ms). */
export function activityOf(session: SessionView): number {
  return Math.max(session.lastActivity ?? 0, session.lastMessage?.time ?? 0, session.dateline);
}

export function mergeSession(known: SessionView | undefined, incoming: SessionView): SessionView {
  const merged: SessionView = { ...known, ...incoming };
  if (!known) return merged;
  // updates may come without the preview or with an older counter than a message we already saw
  merged.lastSeq = Math.max(known.lastSeq, incoming.lastSeq ?? 0);
  const preview = [known.lastMessage, incoming.lastMessage].filter((m): m is MessageView => !!m);
  merged.lastMessage = preview.sort((a, b) => b.seq - a.seq)[0];
  merged.lastActivity = Math.max(activityOf(known), incoming.lastActivity ?? 0);
  if (known.readSeq !== undefined || incoming.readSeq !== undefined) merged.readSeq = Math.max(known.readSeq ?? 0, incoming.readSeq ?? 0);
  // counted from an older moment than messages we have counted: our counts are the newer
  if ((incoming.lastSeq ?? 0) < known.lastSeq || incoming.unread === undefined) {
    merged.unread = known.unread;
    merged.unreadMentions = known.unreadMentions;
  }
  // read up to the end (here or on another device): nothing is unread, whoever counted
  if ((merged.readSeq ?? 0) >= merged.lastSeq && merged.unread !== undefined) {
    merged.unread = 0;
    merged.unreadMentions = 0;
  }
  return merged;
}
