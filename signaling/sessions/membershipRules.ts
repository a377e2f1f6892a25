import type { SessionDoc } from '../../storage/documents';
import { JoinType, SessionType, VisableType } from '../protocol/models';
import { isBanned, standingOf } from './groupRoles';
import { BannedError, InvitationOnlyError, NotAllowedError, NotMemberError, SelfConversationError } from './sessionErrors';

/**
 * Who may read, write and manage a conversation (S16), in one place: each rule throws the domain
 * error a refused caller gets. The stored membership (`uids`) is what they read; the socket rooms
 * mirror it (sessionRooms.ts).
 */

export function isMember(session: SessionDoc, uid: string): boolean {
  return session.uids.includes(uid);
}

export function isPublicGroup(session: SessionDoc): boolean {
  return session.sessiontype === SessionType.Group && session.visabletype === VisableType.Public;
}

/** Reading messages, taking a session token, leaving: members only. */
export function mustBeMember(session: SessionDoc, uid: string): void {
  if (!isMember(session, uid)) throw new NotMemberError();
}

/** A conversation's details: public groups can be looked at before joining, everything else by members only. */
export function mustBeAbleToView(session: SessionDoc, uid: string): void {
  if (!isPublicGroup(session)) mustBeMember(session, uid);
}

/** Joining on one's own: groups only, and not invitation-only ones. */
export function mustBeJoinable(session: SessionDoc): void {
  if (session.sessiontype !== SessionType.Group) throw new NotAllowedError('private conversations cannot be joined');
  if (session.jointype === JoinType.InvitationOnly) throw new InvitationOnlyError();
}

/**
 * A member adds another user to a group. Into an invitation-only group only its owner and admins
 * may add people; any member may add people to an open group, which anyone may join.
 */
export function mustBeAbleToInvite(session: SessionDoc, inviter: string): void {
  mustBeMember(session, inviter);
  if (session.sessiontype !== SessionType.Group) throw new NotAllowedError('only groups take invitations');
  if (session.jointype === JoinType.InvitationOnly && !isOwnerOrAdmin(session, inviter)) {
    throw new NotAllowedError('only owners and admins may add members to an invitation-only group');
  }
}

/** A group's settings (name, visibility, how to join) are its owner's and admins' (S26). */
export function mustBeAbleToChangeSettings(session: SessionDoc, uid: string): void {
  mustBeMember(session, uid);
  if (session.sessiontype !== SessionType.Group) throw new NotAllowedError('only groups have settings');
  if (!isOwnerOrAdmin(session, uid)) throw new NotAllowedError('only owners and admins may change the group settings');
}

/** Group management (invite links, kicks, bans, mutes): owners and admins (S26). */
export function mustBeOwnerOrAdmin(session: SessionDoc, uid: string, what: string): void {
  mustBeMember(session, uid);
  if (session.sessiontype !== SessionType.Group) throw new NotAllowedError(`only groups have ${what}`);
  if (!isOwnerOrAdmin(session, uid)) throw new NotAllowedError(`only owners and admins may manage ${what}`);
}

/** Giving roles and handing the group over: its owner only (S26). */
export function mustBeOwner(session: SessionDoc, uid: string): void {
  mustBeMember(session, uid);
  if (session.sessiontype !== SessionType.Group) throw new NotAllowedError('only groups have roles');
  if (standingOf(session, uid) !== 'owner') throw new NotAllowedError('only the group owner may change roles');
}

/**
 * An owner or admin acts on another member (kick, ban, mute): never on the owner, and an admin
 * never on another admin (S26). A target who is not a member is the caller's own business (a ban).
 */
export function mustBeAbleToModerate(session: SessionDoc, actor: string, target: string): void {
  mustBeOwnerOrAdmin(session, actor, 'members');
  if (actor === target) throw new NotAllowedError('you cannot do this to yourself');
  const standing = standingOf(session, target);
  if (standing === 'owner') throw new NotAllowedError('nobody may act on the group owner');
  if (standing === 'admin' && standingOf(session, actor) !== 'owner') throw new NotAllowedError('only the owner may act on an admin');
}

/** Joining, being added, or using an invite link: not while banned (S26). */
export function mustNotBeBanned(session: SessionDoc, uid: string): void {
  if (isBanned(session, uid)) throw new BannedError();
}

export function mustBeTwoUsers(creator: string, other: string): void {
  if (creator === other) throw new SelfConversationError();
}

/** A group's owner and admins (groupRoles.ts); nobody in a private chat. */
export function isOwnerOrAdmin(session: SessionDoc, uid: string): boolean {
  return standingOf(session, uid) !== 'member';
}

/** Deleting someone else's message: owners and admins of a group (S24). */
export function mustBeAbleToDeleteFor(session: SessionDoc, uid: string, author: string): void {
  mustBeMember(session, uid);
  if (author !== uid && !isOwnerOrAdmin(session, uid)) throw new NotAllowedError('only the author, or an owner or admin of the group, may delete this message');
}

/** Pinning: both members of a private chat; owners and admins of a group (S24). */
export function mustBeAbleToPin(session: SessionDoc, uid: string): void {
  mustBeMember(session, uid);
  if (session.sessiontype === SessionType.Group && !isOwnerOrAdmin(session, uid)) throw new NotAllowedError('only owners and admins may pin messages in a group');
}
