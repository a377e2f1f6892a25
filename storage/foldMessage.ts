import type { MessagePreviewDoc, MessageChangeDoc, MessageDoc, ReactionDoc } from './documents';

/** A message's state after its change events (S24): what the message document stores. */
export interface MessageState {
  content: string;
  size: number;
  version: number;
  /** The text as sent, kept once an edit replaced it. */
  original?: string;
  editedAt?: number;
  deleted?: true;
  reactions: ReactionDoc[];
  pinned?: true;
  preview?: MessagePreviewDoc;
}

/**
 * Applies a message's change events, in seq order, to the message as sent. A pure function of the
 * stored events, so applying it again (after a crash, or by two processes at once) gives the same
 * state. Once deleted, later events change nothing but the version.
 */
export function foldMessage(message: MessageDoc, changes: readonly MessageChangeDoc[]): MessageState {
  const sent = message.original ?? message.content;
  let content = sent;
  let version = message.seq;
  let editedAt: number | undefined;
  let deleted = message.deleted === true;
  let pinned = false;
  let preview: MessagePreviewDoc | undefined;
  const reactions = new Map<string, string[]>();
  for (const { seq, senduid, change, dateline } of [...changes].sort((a, b) => a.seq - b.seq)) {
    version = Math.max(version, seq);
    if (deleted) continue;
    switch (change.kind) {
      case 'edit':
        content = change.msg ?? content;
        editedAt = dateline;
        break;
      case 'delete':
        deleted = true;
        break;
      case 'reaction': {
        const uids = (reactions.get(change.emoji) ?? []).filter((uid) => uid !== senduid);
        if (change.on) uids.push(senduid);
        if (uids.length) reactions.set(change.emoji, uids);
        else reactions.delete(change.emoji);
        break;
      }
      case 'pin':
        pinned = change.pinned;
        break;
      case 'preview':
        preview = change.preview;
        break;
      case 'member':
        break;
    }
  }
  if (deleted) return { content: '', size: 0, version, deleted: true, reactions: [] };
  return {
    content,
    // A file message's size is the file's; a text message's that of its (edited) text.
    size: message.fileinfo ? message.size : Buffer.byteLength(content),
    version,
    ...(editedAt !== undefined ? { original: sent, editedAt } : {}),
    reactions: [...reactions].map(([emoji, uids]) => ({ emoji, uids })),
    ...(pinned ? { pinned: true as const } : {}),
    ...(preview ? { preview } : {}),
  };
}
