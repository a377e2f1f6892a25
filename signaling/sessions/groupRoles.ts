import type { SessionDoc } from '../../storage/documents';

/** A group member's standing (S26): the one owner, admins, everyone else a member. */
export type MemberStanding = 'owner' | 'admin' | 'member';

const GROUP = 1;

/**
 * Roles as stored in `roles`, read with one derivation for groups stored before roles existed (no
 * stored owner among the members): the creator (`senduid`) while a member, else the heir a leaving
 * owner would have had (heirOf). New groups store their creator as owner; handing over and
 * inheriting always store the new owner. So a group with members always has exactly one owner.
 */
export function standingOf(session: SessionDoc, uid: string): MemberStanding {
  if (session.sessiontype !== GROUP || !session.uids.includes(uid)) return 'member';
  if (ownerOf(session) === uid) return 'owner';
  // A second stored owner (two writes that raced) counts as an admin.
  return session.roles?.[uid] ? 'admin' : 'member';
}

/** The owner among the members, if any (an empty group has none). */
export function ownerOf(session: SessionDoc): string | undefined {
  if (session.sessiontype !== GROUP) return undefined;
  const stored = session.uids.find((uid) => session.roles?.[uid] === 'owner');
  if (stored) return stored;
  return session.uids.includes(session.senduid) ? session.senduid : heirOf(session, '');
}

/** Members with a role, as views carry it; nothing for private chats. */
export function rolesOf(session: SessionDoc): Record<string, 'owner' | 'admin'> {
  const roles: Record<string, 'owner' | 'admin'> = {};
  if (session.sessiontype !== GROUP) return roles;
  for (const uid of session.uids) {
    const standing = standingOf(session, uid);
    if (standing !== 'member') roles[uid] = standing;
  }
  return roles;
}

/** Until when a member is muted, or undefined when not (or no longer) muted. */
export function mutedUntil(session: SessionDoc, uid: string, now = Date.now()): number | undefined {
  const until = session.mutes?.[uid];
  return until !== undefined && until > now ? until : undefined;
}

/** The members muted now. */
export function activeMutes(session: SessionDoc, now = Date.now()): Record<string, number> {
  const mutes: Record<string, number> = {};
  for (const [uid, until] of Object.entries(session.mutes ?? {})) {
    if (until > now && session.uids.includes(uid)) mutes[uid] = until;
  }
  return mutes;
}

/**
 * Who inherits a group its owner leaves: the longest-standing admin, else the longest-standing
 * member. `uids` is in joining order (members are appended when added), so the first one found wins.
 */
export function heirOf(session: SessionDoc, leaving: string): string | undefined {
  const others = session.uids.filter((uid) => uid !== leaving);
  return others.find((uid) => session.roles?.[uid] === 'admin') ?? others[0];
}

export function isBanned(session: SessionDoc, uid: string): boolean {
  return session.bans?.includes(uid) ?? false;
}
