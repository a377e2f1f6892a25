/** Stored documents as the wire shapes of PROTOCOL.md. */
import type { MessageDoc, SessionDoc, UserDoc } from '../storage/documents';
import type { MemberView, MessageView, SessionView, UserView, VisiblePresence } from './protocol/models';

export function userView(doc: UserDoc, self: boolean): UserView {
  return {
    uid: doc._id.toHexString(),
    ...(self ? { login: doc.login } : {}),
    nickname: doc.nickname,
    gender: doc.gender,
    ...(doc.avatar ? { avatar: doc.avatar } : {}),
    lastlogin: doc.lastlogin,
    logincount: doc.logincount,
    dateline: doc.dateline,
  };
}

export function messageView(doc: MessageDoc): MessageView {
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
            url: `/api/files/${doc.fileinfo.fileid}`,
          },
        }
      : {}),
  };
}

export function sessionView(doc: SessionDoc): SessionView {
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
    ...(doc.lastMessage ? { lastMessage: messageView(doc.lastMessage) } : {}),
  };
}

/** A user's presence as others see it: invisible is offline (S10). */
export function visiblePresence(user: UserDoc, online: boolean, sessionid?: string): VisiblePresence {
  if (!online) return 'offline';
  const status = (sessionid && user.presence?.sessions?.[sessionid]) || user.presence?.status || 'online';
  return status === 'invisible' ? 'offline' : status;
}

export function memberView(user: UserDoc, presence: VisiblePresence): MemberView {
  return {
    uid: user._id.toHexString(),
    nickname: user.nickname,
    gender: user.gender,
    ...(user.avatar ? { avatar: user.avatar } : {}),
    presence,
  };
}
