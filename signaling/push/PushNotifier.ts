import type { MessageDoc, SessionDoc } from '../../storage/documents';
import { mentionsUser } from '../attention/mentionRules';
import type { PushPayload } from '../protocol/attention';
import { SessionType } from '../protocol/models';
import type { MessageStoredListener, PushNotifierDeps } from './PushNotifierTypes';

/** Characters of a message's text a notification shows. */
const BODY_MAX = 180;

const clip = (text: string): string => (text.length > BODY_MAX ? `${text.slice(0, BODY_MAX - 1)}…` : text);

/**
 * Web Push for users away from the app (issue 13): after a message is stored, every member but the
 * sender who has no connected socket anywhere in the cluster and a subscription gets a push, unless
 * they muted the conversation or their status is busy; mentions of them and incoming calls are
 * pushed regardless. Runs beside the send path: never delays or fails it.
 */
export class PushNotifier implements MessageStoredListener {
  constructor(private readonly deps: PushNotifierDeps) {}

  messageStored(message: MessageDoc): void {
    this.notify(message).catch((err) => this.deps.logger.warn({ err, sessionid: message.sessionid }, 'push notification failed'));
  }

  private async notify(message: MessageDoc): Promise<void> {
    const { sessions, users, presence, readStates, subscriptions, sender } = this.deps;
    const session = await sessions.get(message.sessionid);
    const others = session.uids.filter((uid) => uid !== message.senduid);
    // Most members have no subscription: that is the cheapest question, so it comes first.
    const subs = await subscriptions.forUsers(others);
    if (subs.length === 0) return;
    const subscribed = [...new Set(subs.map((s) => s.uid))];
    const online = await presence.onlineAmong(subscribed);
    const away = subscribed.filter((uid) => !online.has(uid));
    if (away.length === 0) return;
    const isCall = message.callinfo?.event === 'started';
    const [muted, people] = await Promise.all([readStates.mutedAmong(message.sessionid, away), users.getMany(away)]);
    const busy = new Set(people.filter((u) => u.presence?.status === 'busy').map((u) => u._id.toHexString()));
    const recipients = new Set(away.filter((uid) => isCall || mentionsUser(message.mentions, uid) || (!muted.has(uid) && !busy.has(uid))));
    if (recipients.size === 0) return;
    const payload = payloadOf(session, message, isCall);
    for (const sub of subs) if (recipients.has(sub.uid)) sender.send(sub, payload, isCall ? 'high' : 'normal');
  }
}

/** What the notification says: who wrote (and where, in a group) and the start of the text. */
function payloadOf(session: SessionDoc, message: MessageDoc, isCall: boolean): PushPayload {
  const sessionid = message.sessionid;
  const url = `/c/${sessionid}`;
  const isGroup = session.sessiontype === SessionType.Group;
  const title = isGroup ? session.name : message.nickname;
  if (isCall) {
    const what = message.callinfo?.video ? 'Incoming video call' : 'Incoming voice call';
    return { type: 'call', sessionid, msgid: message._id.toHexString(), title, body: isGroup ? `${message.nickname}: ${what}` : what, url };
  }
  const text = clip(message.content.trim() || message.fileinfo?.filename || '');
  return { type: 'message', sessionid, msgid: message._id.toHexString(), title, body: isGroup ? `${message.nickname}: ${text}` : text, url };
}
