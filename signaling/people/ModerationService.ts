import { SessionType, type SessionView } from '../protocol/models';
import type { MemberRole, PersonView, UpdateMemberBody } from '../protocol/people';
import type { SessionDoc } from '../../storage/documents';
import { standingOf } from '../sessions/groupRoles';
import { isMember, mustBeAbleToModerate, mustBeOwner, mustBeOwnerOrAdmin } from '../sessions/membershipRules';
import { MutedError, NotAllowedError, NotMemberError } from '../sessions/sessionErrors';
import type { ModerationServiceDeps } from './ModerationServiceTypes';
import { BlockedError } from './peopleErrors';
import { peopleViews } from './personView';

/** What deciding whether a member may write reads of a session. */
export type WriteState = Pick<SessionDoc, 'sessiontype' | 'senduid' | 'recvuid' | 'mutes'>;

/**
 * Group roles and moderation (S26): the owner gives roles and hands the group over; owners and
 * admins mute, kick and ban (never the owner; an admin never another admin). Role changes, kicks
 * and bans take a seq as membership events; every change reaches the members as `session:update`.
 * It also answers whether a member may write into a conversation now (mutes, blocks).
 */
export class ModerationService {
  constructor(private readonly deps: ModerationServiceDeps) {}

  /** `PATCH /api/sessions/:id/members/:uid`: a role, a mute, or both. */
  async updateMember(sessionid: string, actor: string, target: string, change: UpdateMemberBody): Promise<SessionView> {
    const { sessions, sessionService } = this.deps;
    let session = await sessions.get(sessionid);
    if (!isMember(session, target)) {
      mustBeOwnerOrAdmin(session, actor, 'members');
      throw new NotMemberError();
    }
    // Every permission is checked before anything is written.
    if (change.role !== undefined) this.mustBeAbleToGive(session, actor, target, change.role);
    if (change.mutedUntil !== undefined) mustBeAbleToModerate(session, actor, target);
    let seq: number | undefined;
    if (change.role !== undefined && change.role !== standingOf(session, target)) {
      if (change.role === 'owner') {
        // Null: one of the two left meanwhile; nothing changed.
        session = mustStillBeMembers(await sessions.handOver(sessionid, actor, target));
        await sessionService.record(sessionid, target, 'role', actor);
        seq = await sessionService.record(sessionid, actor, 'role', actor);
      } else {
        session = mustStillBeMembers(await sessions.setRole(sessionid, target, change.role === 'admin' ? 'admin' : null));
        seq = await sessionService.record(sessionid, target, 'role', actor);
      }
    }
    if (change.mutedUntil !== undefined) {
      const until = change.mutedUntil !== null && change.mutedUntil > Date.now() ? change.mutedUntil : null;
      session = (await sessions.setMute(sessionid, target, until)) ?? session;
    }
    return sessionService.publish(session, seq);
  }

  /** `DELETE /api/sessions/:id/members/:uid` by someone else: a kick. */
  async kick(sessionid: string, actor: string, target: string): Promise<SessionView> {
    const session = await this.deps.sessions.get(sessionid);
    mustBeAbleToModerate(session, actor, target);
    if (!isMember(session, target)) throw new NotMemberError();
    return this.deps.sessionService.remove(sessionid, target, 'kick', actor);
  }

  /** Bans a user (a member is removed); they cannot join, be added or use an invite until unbanned. */
  async ban(sessionid: string, actor: string, target: string): Promise<SessionView> {
    const session = await this.deps.sessions.get(sessionid);
    mustBeAbleToModerate(session, actor, target);
    return this.deps.sessionService.remove(sessionid, target, 'ban', actor);
  }

  async unban(sessionid: string, actor: string, target: string): Promise<SessionView> {
    const session = await this.deps.sessions.get(sessionid);
    mustBeOwnerOrAdmin(session, actor, 'bans');
    return this.deps.sessionService.publish(await this.deps.sessions.unban(sessionid, target));
  }

  /** The users banned from a group, for its owner and admins. */
  async bans(sessionid: string, actor: string): Promise<PersonView[]> {
    const session = await this.deps.sessions.get(sessionid);
    mustBeOwnerOrAdmin(session, actor, 'bans');
    return peopleViews(this.deps, session.bans ?? []);
  }

  /**
   * Writing (sending, editing) into a conversation: refused to a muted group member until the mute
   * ends (`muted`, with `until`), and in a private chat across a block either way (`blocked`).
   * Reactions, deletes and reading stay open.
   */
  async mustBeAbleToWrite(sessionid: string, uid: string): Promise<void> {
    await this.mustBeAbleToWriteIn(await this.deps.sessions.writeState(sessionid), uid);
  }

  /** The same check on a session already read (a send with mentions reads the whole session once). */
  async mustBeAbleToWriteIn(state: WriteState | null, uid: string): Promise<void> {
    if (!state) return;
    if (state.sessiontype === SessionType.Group) {
      const until = state.mutes?.[uid];
      if (until !== undefined && until > Date.now()) throw new MutedError(until);
      return;
    }
    const other = state.senduid === uid ? state.recvuid : state.senduid;
    if (other && other !== uid && (await this.deps.blocks.between(uid, other))) throw new BlockedError();
  }

  /** The owner gives roles; `owner` hands the group over; the owner's own role changes only that way. */
  private mustBeAbleToGive(session: SessionDoc, actor: string, target: string, role: MemberRole): void {
    mustBeOwner(session, actor);
    if (actor === target && role !== 'owner') throw new NotAllowedError('hand the group over to someone else instead');
  }
}

/** A conditional write that found its members gone answers `not_member`. */
function mustStillBeMembers(session: SessionDoc | null): SessionDoc {
  if (!session) throw new NotMemberError();
  return session;
}
