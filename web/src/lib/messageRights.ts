/**
 * Who may do what to a message (PROTOCOL.md "Conversation events"): the menu offers only what the
 * server would accept, so a refusal is rare rather than routine. Pure: no store, no DOM.
 */
import { MsgType, SessionType, type MessageView, type SessionView } from '@protocol';

/** A session as the server may send it once group roles exist (`roles` is optional in every version). */
type WithRoles = SessionView & { roles?: Record<string, string> };

/** The group's creator, or a member the roles map names owner or admin. */
export function isGroupModerator(session: WithRoles | undefined, uid: string): boolean {
  if (!session || session.sessiontype !== SessionType.Group) return false;
  const role = session.roles?.[uid];
  return session.senduid === uid || role === 'owner' || role === 'admin';
}

/** Messages a menu applies to: stored, not a tombstone, not a call or live announcement. */
export function hasMenu(message: MessageView): boolean {
  return !message.deleted && message.msgtype !== MsgType.VoiceCall && message.msgtype !== MsgType.VideoCall && message.msgtype !== MsgType.Live;
}

/** Only the author edits, and only text: a text message, or a file message's caption. */
export function canEdit(message: MessageView, uid: string): boolean {
  return hasMenu(message) && message.senduid === uid && message.msgtype <= MsgType.File;
}

export function canDelete(message: MessageView, uid: string, session: SessionView | undefined): boolean {
  return hasMenu(message) && (message.senduid === uid || isGroupModerator(session, uid));
}

/** Any member of a private chat; owners and admins of a group. */
export function canPin(session: SessionView | undefined, uid: string): boolean {
  if (!session) return false;
  return session.sessiontype === SessionType.Private ? session.uids.includes(uid) : isGroupModerator(session, uid);
}

/** The newest of one's own messages the Up arrow may edit (undefined when there is none). */
export function lastEditable(list: readonly MessageView[], uid: string): MessageView | undefined {
  for (let i = list.length - 1; i >= 0; i--) {
    const message = list[i]!;
    if (canEdit(message, uid) && message.msgtype === MsgType.Text) return message;
  }
  return undefined;
}

/** Whether `uid` has reacted with `emoji` (the chip's pressed state, and which way a click toggles). */
export function hasReacted(message: Pick<MessageView, 'reactions'>, emoji: string, uid: string): boolean {
  return message.reactions?.some((r) => r.emoji === emoji && r.uids.includes(uid)) ?? false;
}

/** A quote's one line: the excerpt with its line breaks folded, cut to `max` characters. */
export function quoteLine(text: string, max = 120): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  const chars = [...flat];
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : flat;
}
