/** Stored documents as the wire shapes of PROTOCOL.md. */
import type { MessageChangeDoc, MessageDoc, SessionDoc, UserDoc } from '../storage/documents';
import { kindOfMime } from './files/ContentSniffer';
import { UrlSigner, type UrlVariant } from './files/UrlSigner';
import { activeMutes, rolesOf } from './sessions/groupRoles';
import type { MemberView, MessageUpdate, MessageView, SessionView, UserView, VisiblePresence } from './protocol/models';

/**
 * Signs file URLs for the user a view is for (signaling/files/UrlSigner). Pass one only when that
 * user may see the files the view names; without one, views carry unsigned paths, which answer only
 * to a Bearer token of an allowed user.
 */
export interface FileUrlSigner {
  url(fileid: string, variant: UrlVariant): string;
}

const AVATAR_PATH = /^\/api\/files\/([0-9a-f]{24})\/avatar$/;

/** A stored avatar path (`/api/files/<fileid>/avatar`) as a signed URL any signed-in user's `<img>` can load. */
function avatarUrl(avatar: string, signer?: FileUrlSigner): string {
  const fileid = AVATAR_PATH.exec(avatar)?.[1];
  return fileid && signer ? signer.url(fileid, 'avatar') : avatar;
}

export function userView(doc: UserDoc, self: boolean, signer?: FileUrlSigner): UserView {
  return {
    uid: doc._id.toHexString(),
    ...(self ? { login: doc.login } : {}),
    nickname: doc.nickname,
    gender: doc.gender,
    ...(doc.avatar ? { avatar: avatarUrl(doc.avatar, signer) } : {}),
    lastlogin: doc.lastlogin,
    logincount: doc.logincount,
    dateline: doc.dateline,
  };
}

/** A stored message as clients receive it; file URLs signed by `signer` (see FileUrlSigner). */
export function messageView(doc: MessageDoc, signer?: FileUrlSigner): MessageView {
  const url = (fileid: string, variant: UrlVariant) => (signer ? signer.url(fileid, variant) : UrlSigner.path(fileid, variant));
  return {
    msgid: doc._id.toHexString(),
    sessionid: doc.sessionid,
    seq: doc.seq,
    senduid: doc.senduid,
    nickname: doc.nickname,
    msgtype: doc.msgtype,
    msg: doc.content,
    time: doc.dateline,
    size: doc.size,
    uuid: doc.uuid,
    ...(doc.fileinfo
      ? {
          fileinfo: {
            fileid: doc.fileinfo.fileid,
            filename: doc.fileinfo.filename,
            filetype: doc.fileinfo.filetype,
            filemd5: doc.fileinfo.filemd5,
            size: doc.fileinfo.size,
            url: url(doc.fileinfo.fileid, 'file'),
            ...(doc.fileinfo.thumbpath ? { thumbUrl: url(doc.fileinfo.fileid, 'thumb') } : {}),
            ...(doc.fileinfo.width && doc.fileinfo.height ? { width: doc.fileinfo.width, height: doc.fileinfo.height } : {}),
            kind: kindOfMime(doc.fileinfo.filetype),
          },
        }
      : {}),
    ...(doc.liveinfo ? { liveinfo: { streamid: doc.liveinfo.streamid, title: doc.liveinfo.title, event: doc.liveinfo.event } } : {}),
    ...(doc.callinfo ? { callinfo: { callid: doc.callinfo.callid, event: doc.callinfo.event, video: doc.callinfo.video, ...(doc.callinfo.durationMs !== undefined ? { durationMs: doc.callinfo.durationMs } : {}) } } : {}),
    version: doc.version ?? doc.seq,
    ...(doc.editedAt !== undefined ? { editedAt: doc.editedAt } : {}),
    ...(doc.deleted ? { deleted: true } : {}),
    ...(doc.replyTo ? { replyTo: { ...doc.replyTo } } : {}),
    reactions: (doc.reactions ?? []).map((r) => ({ emoji: r.emoji, count: r.uids.length, uids: [...r.uids] })),
    ...(doc.pinned ? { pinned: true } : {}),
    ...(doc.preview
      ? {
          preview: {
            url: doc.preview.url,
            title: doc.preview.title,
            ...(doc.preview.description ? { description: doc.preview.description } : {}),
            ...(doc.preview.imageFileId ? { imageUrl: url(doc.preview.imageFileId, 'file') } : {}),
          },
        }
      : {}),
    ...(doc.mentions?.length ? { mentions: [...doc.mentions] } : {}),
  };
}

/**
 * A stored change event as clients receive it (S24); `message` is the changed message's view now
 * (absent for membership events, or when the message is gone).
 */
export function messageUpdateView(doc: MessageChangeDoc, message: MessageView | undefined): MessageUpdate {
  const { change } = doc;
  const base = { sessionid: doc.sessionid, seq: doc.seq, kind: change.kind, time: doc.dateline };
  if (change.kind === 'member') return { ...base, uid: change.uid, action: change.action };
  return { ...base, msgid: change.msgid, uid: doc.senduid, ...(message ? { message } : {}) };
}

export function sessionView(doc: SessionDoc, signer?: FileUrlSigner): SessionView {
  return {
    sessionid: doc._id.toHexString(),
    sessiontype: doc.sessiontype,
    visabletype: doc.visabletype,
    jointype: doc.jointype,
    name: doc.name,
    senduid: doc.senduid,
    ...(doc.recvuid ? { recvuid: doc.recvuid } : {}),
    dateline: doc.dateline,
    uids: doc.uids,
    lastSeq: doc.lastSeq,
    lastActivity: doc.lastActivity,
    ...(doc.lastMessage ? { lastMessage: messageView(doc.lastMessage, signer) } : {}),
    // Groups (S26): who manages it, and who is muted now.
    ...(doc.sessiontype === 1 ? { roles: rolesOf(doc), mutes: activeMutes(doc) } : {}),
    ...(doc.avatar ? { avatar: avatarUrl(doc.avatar, signer) } : {}),
  };
}

/** A user's presence as others see it: invisible is offline (S10). */
export function visiblePresence(user: UserDoc, online: boolean, sessionid?: string): VisiblePresence {
  if (!online) return 'offline';
  const status = (sessionid && user.presence?.sessions?.[sessionid]) || user.presence?.status || 'online';
  return status === 'invisible' ? 'offline' : status;
}

export function memberView(user: UserDoc, presence: VisiblePresence, signer?: FileUrlSigner): MemberView {
  return {
    uid: user._id.toHexString(),
    nickname: user.nickname,
    gender: user.gender,
    ...(user.avatar ? { avatar: avatarUrl(user.avatar, signer) } : {}),
    presence,
  };
}
