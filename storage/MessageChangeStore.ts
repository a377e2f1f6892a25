import { ObjectId } from 'mongodb';
import type { Database } from './Database';
import type { MessageChangeDoc, MessageDoc } from './documents';
import { foldMessage } from './foldMessage';
import { searchableTextOf, searchTermsOf } from './searchTerms';

/**
 * Keeps each message document in its current state (S24). A change event is first stored (by the
 * MessageBatcher, taking the next seq); `apply` then re-applies all of the message's events to it.
 * The write only moves a message forward (a lower version never overwrites a higher one), so two
 * processes applying at once, or a repair after a crash between the two steps, end the same.
 */
export class MessageChangeStore {
  constructor(private readonly db: Database) {}

  /** The message in its state after every stored change event; null when there is no such message. */
  async apply(msgid: string): Promise<MessageDoc | null> {
    if (!ObjectId.isValid(msgid)) return null;
    const _id = new ObjectId(msgid);
    const message = await this.db.messages.findOne({ _id });
    if (!message) return null;
    const changes = await this.changesOf(msgid);
    const state = foldMessage(message, changes);
    if (state.version === (message.version ?? message.seq)) return message;
    const unset: Record<string, ''> = {};
    for (const key of ['original', 'editedAt', 'deleted', 'pinned', 'preview'] as const) if (state[key] === undefined) unset[key] = '';
    // The tombstone keeps neither the file nor the quote.
    if (state.deleted) Object.assign(unset, { fileinfo: '', replyTo: '' });
    const updated = await this.db.messages.findOneAndUpdate(
      { _id, $or: [{ version: { $exists: false } }, { version: { $lt: state.version } }] },
      // Search terms follow the text: an edit is found by its new words, a deleted message by none.
      { $set: { ...state, terms: state.deleted ? [] : searchTermsOf(searchableTextOf({ ...message, content: state.content })) }, ...(Object.keys(unset).length ? { $unset: unset } : {}) },
      { returnDocument: 'after' },
    );
    const current = updated ?? (await this.db.messages.findOne({ _id }));
    if (updated && state.deleted) await this.forgetTexts(msgid);
    if (updated) await this.refreshListPreview(updated);
    return current;
  }

  /** Messages whose stored state is behind their change events (a process died between the two steps) are brought up to date. */
  async repair(messages: MessageDoc[], changes: MessageChangeDoc[]): Promise<MessageDoc[]> {
    const latest = new Map<string, number>();
    for (const { seq, change } of changes) {
      if (change.kind !== 'member') latest.set(change.msgid, Math.max(latest.get(change.msgid) ?? 0, seq));
    }
    return Promise.all(
      messages.map(async (m) => {
        const behind = (latest.get(m._id.toHexString()) ?? 0) > (m.version ?? m.seq);
        return (behind && (await this.apply(m._id.toHexString()))) || m;
      }),
    );
  }

  /** `repair` for messages read without their change events (history pages): their events' seqs are looked up by index. */
  async current(messages: MessageDoc[]): Promise<MessageDoc[]> {
    if (messages.length === 0) return messages;
    const heads = await this.db.messageChanges
      .find({ 'change.msgid': { $in: messages.map((m) => m._id.toHexString()) } }, { projection: { _id: 0, seq: 1, 'change.kind': 1, 'change.msgid': 1 } })
      .toArray();
    return heads.length ? this.repair(messages, heads) : messages;
  }

  private changesOf(msgid: string): Promise<MessageChangeDoc[]> {
    return this.db.messageChanges.find({ 'change.msgid': msgid }).sort({ seq: 1 }).toArray();
  }

  /** A deleted message's earlier texts are not kept in its edit events either. */
  private async forgetTexts(msgid: string): Promise<void> {
    await this.db.conversationLog.updateMany({ 'change.msgid': msgid, 'change.kind': 'edit' }, { $unset: { 'change.msg': '' } });
  }

  /** The conversation list shows the newest message as it is now. */
  private async refreshListPreview(message: MessageDoc): Promise<void> {
    await this.db.sessions.updateOne({ _id: new ObjectId(message.sessionid), 'lastMessage._id': message._id }, { $set: { lastMessage: message } });
  }
}
