import type { ChangeDoc, MessagePreviewDoc, MemberAction, MessageChangeDoc, MessageDoc, ReplyToDoc } from '../../storage/documents';
import { DeniedError, InvalidRequestError, LimitError, TooLargeError } from '../errors/DomainError';
import { emojifyText } from '../emoji';
import { ErrorCode } from '../protocol/errors';
import { MsgType } from '../protocol/models';
import { Limits } from '../protocol/schemas';
import { mustBeAbleToDeleteFor, mustBeAbleToPin } from '../sessions/membershipRules';
import { RateLimiter } from '../util/RateLimiter';
import { messageUpdateView, messageView } from '../views';
import { MessageNotFoundError, NotOneEmojiError, TooManyReactionsError } from './conversationEventErrors';
import type { ChangeResult, ConversationEventsDeps } from './ConversationEventsTypes';

/** One emoji, skin tones and sequences included (Unicode's RGI set). */
const ONE_EMOJI = new RegExp('^\\p{RGI_Emoji}$', 'v');
/** Characters of a quoted message kept in a reply. */
const EXCERPT_CHARS = 120;

/**
 * The change events of a conversation (S24): edits, deletes, reactions, pins, link previews and
 * membership. Each is checked here, then takes the conversation's next seq through the
 * MessageBatcher (acknowledged only once stored, S17), is applied to its message, and reaches the
 * members as `message:update`. `applyChange` is the one way in for every kind.
 */
export class ConversationEvents {
  private readonly edits: RateLimiter;
  private readonly others: RateLimiter;

  constructor(private readonly deps: ConversationEventsDeps) {
    const { editsPerMinute, changesPerMinute } = deps.config;
    this.edits = new RateLimiter(editsPerMinute / 60, editsPerMinute);
    this.others = new RateLimiter(changesPerMinute / 60, changesPerMinute);
  }

  /** Only the author; text messages and file captions; the same size bound as a send. */
  async edit(uid: string, sessionid: string, msgid: string, text: string): Promise<ChangeResult> {
    const message = await this.messageIn(sessionid, msgid);
    if (message.senduid !== uid) throw new DeniedError(ErrorCode.Forbidden, 'only the author may edit a message');
    const isFile = message.msgtype >= MsgType.Image && message.msgtype <= MsgType.File;
    if (message.msgtype !== MsgType.Text && !isFile) throw new InvalidRequestError('only text messages and file captions can be edited');
    const content = emojifyText(text);
    if (Buffer.byteLength(content) > Limits.messageBytesMax) throw new TooLargeError(`a message holds at most ${Limits.messageBytesMax} bytes`);
    if (!isFile && content.trim().length === 0) throw new InvalidRequestError('msg: the message is empty (delete it instead)');
    if (!this.edits.take(uid)) throw new LimitError('too many edits; slow down');
    if (content === message.content) return this.unchanged(message);
    return this.applyChange(sessionid, uid, { kind: 'edit', msgid, msg: content });
  }

  /**
   * The author, or an owner/admin of the group. The message stays as a tombstone, and its file is
   * no longer reachable through it. Deleting a deleted message again (a retry) answers its version.
   */
  async delete(uid: string, sessionid: string, msgid: string): Promise<ChangeResult> {
    const message = await this.messageIn(sessionid, msgid, { deletedToo: true });
    mustBeAbleToDeleteFor(await this.deps.sessions.get(sessionid), uid, message.senduid);
    if (!this.others.take(uid)) throw new LimitError('too many changes; slow down');
    const result = message.deleted ? this.unchanged(message) : await this.applyChange(sessionid, uid, { kind: 'delete', msgid });
    // After the tombstone: a retry after a failure here finds the message deleted and unlinks again.
    await this.deps.files.unlinkMessage(msgid, sessionid);
    return result;
  }

  /** Adds (`on`) or removes the caller's reaction; bounded per message in count and in different emoji. */
  async react(uid: string, sessionid: string, msgid: string, rawEmoji: string, on: boolean): Promise<ChangeResult> {
    const emoji = emojifyText(rawEmoji.trim());
    if (!ONE_EMOJI.test(emoji)) throw new NotOneEmojiError();
    const message = await this.messageIn(sessionid, msgid);
    const reactions = message.reactions ?? [];
    const mine = reactions.find((r) => r.emoji === emoji)?.uids.includes(uid) ?? false;
    if (mine === on) return this.unchanged(message);
    if (on) {
      const { reactionsPerMessage, reactionEmojiPerMessage } = this.deps.config;
      if (reactions.reduce((n, r) => n + r.uids.length, 0) >= reactionsPerMessage) {
        throw new TooManyReactionsError(`a message carries at most ${reactionsPerMessage} reactions`);
      }
      if (!reactions.some((r) => r.emoji === emoji) && reactions.length >= reactionEmojiPerMessage) {
        throw new TooManyReactionsError(`a message carries at most ${reactionEmojiPerMessage} different emoji`);
      }
    }
    if (!this.others.take(uid)) throw new LimitError('too many changes; slow down');
    return this.applyChange(sessionid, uid, { kind: 'reaction', msgid, emoji, on });
  }

  /** Members of a private chat; owners and admins of a group. */
  async pin(uid: string, sessionid: string, msgid: string, pinned: boolean): Promise<ChangeResult> {
    const message = await this.messageIn(sessionid, msgid);
    mustBeAbleToPin(await this.deps.sessions.get(sessionid), uid);
    if ((message.pinned === true) === pinned) return this.unchanged(message);
    if (!this.others.take(uid)) throw new LimitError('too many changes; slow down');
    return this.applyChange(sessionid, uid, { kind: 'pin', msgid, pinned });
  }

  /**
   * A link preview the server fetched for a message (kind `preview`), recorded as made by the
   * message's author unless `by` says otherwise. A preview image is a stored file (`imageFileid`):
   * views sign its URL; link it to the conversation (FileStore.linkSession) for Bearer fetches.
   * A message deleted meanwhile is `not_found`.
   */
  async attachPreview(sessionid: string, msgid: string, preview: MessagePreviewDoc, by?: string): Promise<ChangeResult> {
    const message = await this.messageIn(sessionid, msgid);
    return this.applyChange(sessionid, by ?? message.senduid, { kind: 'preview', msgid, preview });
  }

  /** A membership event (kind `member`): who, what happened, and who did it (the member themself when absent). */
  async member(sessionid: string, uid: string, action: MemberAction, by = uid): Promise<number> {
    return (await this.applyChange(sessionid, by, { kind: 'member', uid, action })).seq;
  }

  /**
   * Apply a change event: it takes the conversation's next seq (stored before anything is
   * answered), its message is brought to its new state, and the members receive `message:update`.
   */
  async applyChange(sessionid: string, senduid: string, change: ChangeDoc): Promise<ChangeResult> {
    const { batcher, changes, fanout, fileUrls } = this.deps;
    const stored = await batcher.submitChange({ sessionid, senduid, change });
    const message = change.kind === 'member' ? null : await changes.apply(change.msgid);
    fanout.messageUpdate(messageUpdateView(stored, message ? messageView(message, fileUrls) : undefined));
    return { msgid: change.kind === 'member' ? '' : change.msgid, seq: stored.seq };
  }

  /** A send's `replyTo`: a live message of the same conversation, quoted as it is now. */
  async quote(sessionid: string, msgid: string): Promise<ReplyToDoc> {
    const message = await this.messageIn(sessionid, msgid);
    const text = message.content.trim() || message.fileinfo?.filename || '';
    return { msgid, senduid: message.senduid, nickname: message.nickname, excerpt: [...text].slice(0, EXCERPT_CHARS).join('') };
  }

  /**
   * Sync's repair step: messages whose change events are stored but not yet applied to them (their
   * process died in between) are brought up to date before they are answered.
   */
  upToDate(messages: MessageDoc[], changes: MessageChangeDoc[]): Promise<MessageDoc[]> {
    return this.deps.changes.repair(messages, changes);
  }

  /** History's repair step: the same, for messages whose change events are not at hand. */
  current(messages: MessageDoc[]): Promise<MessageDoc[]> {
    return this.deps.changes.current(messages);
  }

  private async messageIn(sessionid: string, msgid: string, options: { deletedToo?: boolean } = {}): Promise<MessageDoc> {
    const message = await this.deps.messages.get(msgid);
    if (!message || message.sessionid !== sessionid || (message.deleted && !options.deletedToo)) throw new MessageNotFoundError();
    return message;
  }

  /** Nothing to change (already in that state): the answer names the message's current version. */
  private unchanged(message: MessageDoc): ChangeResult {
    return { msgid: message._id.toHexString(), seq: message.version ?? message.seq };
  }
}
