import type { SessionDoc } from '../../storage/documents';

/** A group member's standing (S26): the one owner, admins, everyone else a member. */
export type MemberStanding = 'owner' | 'admin' | 'member';

const GROUP = 1;

/**
 * Roles as stored in `roles`, read with one derivation for groups made before roles existed: with
 * no explicit owner, the creator (`senduid`) is the owner while a member. New groups store their
 * creator as owner; handing over or inheriting ownership always writes an explicit owner.
 */
export function standingOf(session: SessionDoc, uid: string): MemberStanding {
  if (session.sessiontype !== GROUP || !session.uids.includes(uid)) return 'member';
  const stored = session.roles?.[uid];
  if (stored) return stored;
  return uid === session.senduid && !hasStoredOwner(session) ? 'owner' : 'member';
}

/** The owner among the members, if any (an empty group has none). */
export function ownerOf(session: SessionDoc): string | undefined {
  return session.uids.find((uid) => standingOf(session, uid) === 'owner');
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

function hasStoredOwner(session: SessionDoc): boolean {
  return Object.entries(session.roles ?? {}).some(([uid, role]) => role === 'owner' && session.uids.includes(uid));
}
