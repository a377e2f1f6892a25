import type { SessionDoc, UserDoc } from '../../storage/documents';
import type { NewGroup, SessionListType, SessionUpdate } from '../../storage/SessionStore';
import { SessionType, type MemberAction, type SessionView } from '../protocol/models';
import { memberView, sessionView, visiblePresence } from '../views';
import { heirOf, mutedUntil, ownerOf, standingOf } from './groupRoles';
import {
  isMember,
  mustBeAbleToChangeSettings,
  mustBeAbleToInvite,
  mustBeAbleToView,
  mustBeJoinable,
  mustBeMember,
  mustBeTwoUsers,
  mustNotBeBanned,
} from './membershipRules';
import { BannedError, NotAllowedError } from './sessionErrors';
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
    const now = Date.now();
    return {
      session: member ? this.view(session) : sessionView(session),
      // An invisible member is listed exactly as an offline one (S10): nothing tells them apart.
      members: members.map((u) => {
        const id = u._id.toHexString();
        const standing = standingOf(session, id);
        const until = mutedUntil(session, id, now);
        return {
          ...memberView(u, visiblePresence(u, online.has(id), sessionid), this.deps.fileUrls),
          ...(standing !== 'member' ? { role: standing } : {}),
          ...(until !== undefined ? { mutedUntil: until } : {}),
        };
      }),
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
    await this.deps.blocks?.mustNotBeBlocked(selfUid, otherUid);
    const { session } = await this.deps.sessions.createPrivate(selfUid, otherUid, `${self.nickname} & ${other.nickname}`);
    const view = this.view(session);
    for (const member of session.uids) this.deps.fanout.memberAdded(member, view);
    return view;
  }

  async join(sessionid: string, uid: string): Promise<SessionView> {
    const session = await this.deps.sessions.get(sessionid);
    if (isMember(session, uid)) return this.added(uid, session);
    mustBeJoinable(session);
    return this.admitted(session, uid, 'join');
  }

  /** Joining through an invite link (InviteService checked the link): any group, unless banned. */
  async admit(sessionid: string, uid: string): Promise<SessionView> {
    const session = await this.deps.sessions.get(sessionid);
    if (isMember(session, uid)) return this.added(uid, session);
    if (session.sessiontype !== SessionType.Group) throw new NotAllowedError('only groups take invitations');
    return this.admitted(session, uid, 'join');
  }

  /** Adds `uid` to a group (S26: not when banned, nor when they blocked the inviter). */
  async invite(sessionid: string, inviter: string, uid: string): Promise<SessionView> {
    await this.deps.users.get(uid);
    const session = await this.deps.sessions.get(sessionid);
    mustBeAbleToInvite(session, inviter);
    if (isMember(session, uid)) return this.added(uid, session);
    await this.deps.blocks?.mustNotBeBlockedBy(uid, inviter);
    return this.admitted(session, uid, 'invite', inviter);
  }

  /**
   * Leaves a conversation. An owner leaving a group hands it to the longest-standing admin, else
   * the longest-standing member (S26: a group with members always has an owner).
   */
  async leave(sessionid: string, uid: string): Promise<void> {
    const session = await this.deps.sessions.get(sessionid);
    mustBeMember(session, uid);
    const wasOwner = standingOf(session, uid) === 'owner';
    let removed = await this.deps.sessions.removeMember(sessionid, uid);
    let seq = await this.recordMember(sessionid, uid, 'leave');
    const heir = wasOwner ? heirOf(removed, uid) : undefined;
    if (heir) {
      removed = (await this.deps.sessions.setRole(sessionid, heir, 'owner')) ?? removed;
      seq = await this.recordMember(sessionid, heir, 'role', uid);
    }
    this.deps.fanout.memberRemoved(uid, this.view(removed, seq));
  }

  /**
   * Takes a member out of a group as a moderator decided (S26: `kick`, or `ban`, which also bars
   * them from coming back). They are told (`session:removed`) and leave the socket rooms; a ban of
   * a non-member is stored without a conversation event.
   */
  async remove(sessionid: string, uid: string, action: 'kick' | 'ban', by: string): Promise<SessionView> {
    const before = await this.deps.sessions.get(sessionid);
    const after = action === 'ban' ? await this.deps.sessions.ban(sessionid, uid) : await this.deps.sessions.removeMember(sessionid, uid);
    if (!isMember(before, uid)) return this.publish(after);
    const seq = await this.recordMember(sessionid, uid, action, by);
    const view = this.view(after, seq);
    this.deps.fanout.memberRemoved(uid, view);
    return view;
  }

  /** A change in a group's roles or mutes: the members learn of it (`session:update`). */
  publish(session: SessionDoc, seq?: number): SessionView {
    const view = this.view(session, seq);
    this.deps.fanout.sessionUpdated(view);
    return view;
  }

  /** Records a membership event (S24); answers its seq. */
  record(sessionid: string, uid: string, action: MemberAction, by?: string): Promise<number | undefined> {
    return this.recordMember(sessionid, uid, action, by);
  }

  private async admitted(session: SessionDoc, uid: string, action: 'join' | 'invite', by?: string): Promise<SessionView> {
    mustNotBeBanned(session, uid);
    const sessionid = session._id.toHexString();
    // The owner before the join (stored, or derived for groups stored before roles), or the newcomer
    // when everyone had left: stored now, so a later join never changes who owns the group.
    const keeper = session.sessiontype === SessionType.Group ? (ownerOf(session) ?? uid) : undefined;
    let after = await this.deps.sessions.addMemberUnlessBanned(sessionid, uid);
    if (!after) throw new BannedError();
    let seq = await this.recordMember(sessionid, uid, action, by);
    if (keeper && after.roles?.[keeper] !== 'owner') {
      after = (await this.deps.sessions.setRole(sessionid, keeper, 'owner')) ?? after;
      if (keeper === uid) seq = await this.recordMember(sessionid, uid, 'role', uid);
    }
    return this.added(uid, after, seq);
  }

  private added(uid: string, session: SessionDoc, seq?: number): SessionView {
    const view = this.view(session, seq);
    this.deps.fanout.memberAdded(uid, view);
    return view;
  }

  /** Refuses a caller who may not change the group's settings (before work such as cutting an avatar). */
  async mustBeAbleToChangeSettings(sessionid: string, uid: string): Promise<void> {
    mustBeAbleToChangeSettings(await this.deps.sessions.get(sessionid), uid);
  }

  async updateSettings(sessionid: string, uid: string, update: SessionUpdate): Promise<SessionView> {
    let session = await this.deps.sessions.get(sessionid);
    mustBeAbleToChangeSettings(session, uid);
    const set: SessionUpdate = {};
    if (update.name !== undefined) set.name = update.name;
    if (update.visabletype !== undefined) set.visabletype = update.visabletype;
    if (update.jointype !== undefined) set.jointype = update.jointype;
    if (update.avatar !== undefined) set.avatar = update.avatar;
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
