/**
 * A message arriving (pushed, synced, or built from our own send's acknowledgement) and what it
 * changes: the conversation's preview and counter, the message list, the outbox, read markers
 * (our own message never counts as unread) and the sender's typing mark.
 */
import type { MessageSendResult, MessageUpdate, MessageView } from '@protocol';
import type { OutgoingMessage } from '@/lib/outgoing';
import { auth } from './auth';
import { composerMode } from './composerMode';
import { history } from './history';
import { messages } from './messages';
import { outbox } from './outbox';
import { readMarkers } from './readMarkers';
import { sessions } from './sessions';
import { typing } from './typing';
import { users } from './users';

export function receive(message: MessageView): void {
  users.remember(message.senduid, message.nickname);
  readMarkers.received(message);
  if (!sessions.advanced(message)) {
    // a conversation we were just added to: fetch it, then its history shows on opening
    sessions.fetchOne(message.sessionid).catch(() => undefined);
  }
  messages.put(message);
  history.saveIfLoaded(message.sessionid);

  if (message.senduid === auth.uid.value) {
    outbox.settled(message.sessionid, message.uuid);
  }
  typing.stopped(message.sessionid, message.senduid);
}

/**
 * A change event (pushed or synced): it takes a seq of the conversation like a message does, so the
 * conversation's counter moves; a changed message that is loaded shows its new state, and the
 * list's preview follows an edit or delete of the last message.
 */
export function applyUpdate(update: MessageUpdate): void {
  const session = sessions.state.sessions[update.sessionid];
  if (session) session.lastSeq = Math.max(session.lastSeq, update.seq);
  if (update.kind === 'member') {
    // shown as a line in the chat; the name may still need looking up (someone who just joined)
    messages.addMemberEvent(update);
    if (update.uid) users.lookup(update.uid);
    return;
  }
  if (!update.message) return;
  messages.replace(update.message);
  composerMode.follow(update.message);
  if (session?.lastMessage?.msgid === update.message.msgid) session.lastMessage = update.message;
  history.saveIfLoaded(update.sessionid);
}

/** The acknowledgement of one of our messages, shown at once; the pushed copy replaces it. */
export function showDelivered(item: OutgoingMessage, result: MessageSendResult): void {
  const file = item.attachment;
  // the pushed copy has the server's fileinfo and text (emoji shortcodes turned into emoji), and
  // may arrive after this acknowledgement
  if (!messages.has(item.sessionid, result.msgid)) messages.markProvisional(result.msgid);
  receive({
    msgid: result.msgid,
    seq: result.seq,
    time: result.time,
    sessionid: item.sessionid,
    senduid: auth.uid.value,
    nickname: auth.state.user?.nickname ?? '',
    msgtype: item.msgtype,
    msg: item.msg,
    size: file ? file.size : new TextEncoder().encode(item.msg).length,
    uuid: item.uuid,
    ...(item.mentions ? { mentions: item.mentions } : {}),
    ...(file?.info ? { fileinfo: { ...file.info, filename: file.name } } : {}),
  });
}
