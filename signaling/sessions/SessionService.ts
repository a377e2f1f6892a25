import type { SessionDoc, UserDoc } from '../../storage/documents';
import type { NewGroup, SessionListType, SessionUpdate } from '../../storage/SessionStore';
import type { MemberAction, SessionView } from '../protocol/models';
import { memberView, sessionView, visiblePresence } from '../views';
import {
  isMember,
  mustBeAbleToChangeSettings,
  mustBeAbleToInvite,
  mustBeAbleToView,
  mustBeJoinable,
  mustBeMember,
  mustBeTwoUsers,
} from './membershipRules';
import type { SessionDetails, SessionServiceDeps } from './SessionServiceTypes';

/**
 * Conversations and their membership (S16): creating, opening, joining, inviting, leaving and
 * settings. It applies membershipRules, has the SessionStore write the result and keeps the socket
 * rooms and the members' clients in step (Fanout). Routes and socket handlers go through it.
 */
export class SessionService {
  constructor(private readonly deps: SessionServiceDeps) {}

  /** The conversation, for a member only (reading messages, taking a session token). */
  async forMember(sessionid: string, uid: string): Promise<SessionDoc> {
    const session = await this.deps.sessions.get(sessionid);
    mustBeMember(session, uid);
    return session;
  }

  /** Ids of the user's conversations (the session rooms a new socket joins). */
  joinedIds(uid: string): Promise<string[]> {
    return this.deps.sessions.joinedIds(uid);
  }

  async listJoined(uid: string, type: SessionListType): Promise<SessionView[]> {
    return (await this.deps.sessions.listJoined(uid, type)).map((s) => this.view(s));
  }

  /** Public groups, for anyone signed in; no file URLs are signed for non-members. */
  async listPublic(limit: number, before?: number): Promise<SessionView[]> {
    return (await this.deps.sessions.listPublic(limit, before)).map((s) => sessionView(s));
  }

  /** A conversation with its members and how each appears; see mustBeAbleToView. */
  async details(sessionid: string, uid: string): Promise<SessionDetails> {
    const { users, presence } = this.deps;
    const session = await this.deps.sessions.get(sessionid);
    mustBeAbleToView(session, uid);
    const [members, online] = await Promise.all([users.getMany(session.uids), presence.onlineAmong(session.uids)]);
    const member = isMember(session, uid);
    return {
      session: member ? this.view(session) : sessionView(session),
      // An invisible member is listed exactly as an offline one (S10): nothing tells them apart.
      members: members.map((u) => memberView(u, visiblePresence(u, online.has(u._id.toHexString()), sessionid), this.deps.fileUrls)),
    };
  }

  async createGroup(creator: string, input: NewGroup): Promise<SessionView> {
    const view = this.view(await this.deps.sessions.createGroup(creator, input));
    this.deps.fanout.memberAdded(creator, view);
    return view;
  }

  /**
   * The one private conversation between two users, created on first use with both as members.
   * Opening it again re-adds only the caller: someone who left it gets it back only by opening it
   * themselves, never because the other person did (README, "Private chats").
   */
  async openPrivate(self: UserDoc, otherUid: string): Promise<SessionView> {
    const other = await this.deps.users.get(otherUid);
    const selfUid = self._id.toHexString();
    mustBeTwoUsers(selfUid, otherUid);
    const { session } = await this.deps.sessions.createPrivate(selfUid, otherUid, `${self.nickname} & ${other.nickname}`);
    const view = this.view(session);
    for (const member of session.uids) this.deps.fanout.memberAdded(member, view);
    return view;
  }

  async join(sessionid: string, uid: string): Promise<SessionView> {
    let session = await this.deps.sessions.get(sessionid);
    let seq: number | undefined;
    if (!isMember(session, uid)) {
      mustBeJoinable(session);
      session = await this.deps.sessions.addMember(sessionid, uid);
      seq = await this.recordMember(sessionid, uid, 'join');
    }
    const view = this.view(session, seq);
    this.deps.fanout.memberAdded(uid, view);
    return view;
  }

  async invite(sessionid: string, inviter: string, uid: string): Promise<SessionView> {
    await this.deps.users.get(uid);
    let session = await this.deps.sessions.get(sessionid);
    mustBeAbleToInvite(session, inviter);
    let seq: number | undefined;
    if (!isMember(session, uid)) {
      session = await this.deps.sessions.addMember(sessionid, uid);
      seq = await this.recordMember(sessionid, uid, 'invite', inviter);
    }
    const view = this.view(session, seq);
    this.deps.fanout.memberAdded(uid, view);
    return view;
  }

  async leave(sessionid: string, uid: string): Promise<void> {
    const session = await this.deps.sessions.get(sessionid);
    mustBeMember(session, uid);
    const removed = await this.deps.sessions.removeMember(sessionid, uid);
    const seq = await this.recordMember(sessionid, uid, 'leave');
    this.deps.fanout.memberRemoved(uid, this.view(removed, seq));
  }

  async updateSettings(sessionid: string, uid: string, update: SessionUpdate): Promise<SessionView> {
    let session = await this.deps.sessions.get(sessionid);
    mustBeAbleToChangeSettings(session, uid);
    const set: SessionUpdate = {};
    if (update.name !== undefined) set.name = update.name;
    if (update.visabletype !== undefined) set.visabletype = update.visabletype;
    if (update.jointype !== undefined) set.jointype = update.jointype;
    if (Object.keys(set).length > 0) session = await this.deps.sessions.updateSettings(sessionid, set);
    const view = this.view(session);
    this.deps.fanout.sessionUpdated(view);
    return view;
  }

  /**
   * A membership event in the conversation (S24). The membership itself is already stored; the
   * event is the conversation's record of it (kind `member`), shown in the chat.
   */
  private async recordMember(sessionid: string, uid: string, action: MemberAction, by?: string): Promise<number | undefined> {
    return this.deps.memberEvents?.member(sessionid, uid, action, by);
  }

  /** A conversation as its members see it (file URLs signed for them); `seq`: a change just recorded, which the stored head may not show yet. */
  private view(session: SessionDoc, seq?: number): SessionView {
    const view = sessionView(session, this.deps.fileUrls);
    return seq !== undefined && seq > view.lastSeq ? { ...view, lastSeq: seq } : view;
  }
}
