/**
 * Who may do what in a group (PROTOCOL.md "People"), as the client shows it: the owner sets roles
 * and moderates anyone else; admins moderate plain members. The server decides; these rules only
 * choose which buttons to offer. Pure functions, tested without a browser.
 */
export type MemberRole = 'owner' | 'admin' | 'member';

/** A member's role from the session's `roles` map; a session without one: its creator owns it. */
export function roleIn(roles: Record<string, 'owner' | 'admin'> | undefined, creator: string, uid: string): MemberRole {
  if (roles) return roles[uid] ?? 'member';
  return uid === creator ? 'owner' : 'member';
}

/** Kick, ban and mute: the owner anyone but themselves, admins plain members. */
export function mayModerate(mine: MemberRole, theirs: MemberRole, self: boolean): boolean {
  if (self) return false;
  return mine === 'owner' || (mine === 'admin' && theirs === 'member');
}

/** Make or remove admins, hand ownership over: the owner only. */
export function maySetRoles(mine: MemberRole, self: boolean): boolean {
  return mine === 'owner' && !self;
}

/** Owner first, then admins, then members; by name within each. */
export function byRoleThenName<T extends { role: MemberRole; nickname: string }>(a: T, b: T): number {
  const rank: Record<MemberRole, number> = { owner: 0, admin: 1, member: 2 };
  return rank[a.role] - rank[b.role] || a.nickname.localeCompare(b.nickname);
}

/** The mute lengths offered, in hours. */
export const muteHours = [1, 8, 24] as const;

/** The invite link lifetimes offered, in seconds (the server allows up to 30 days). */
export const inviteLifetimes = [
  { key: 'people.expiry1h', seconds: 3600 },
  { key: 'people.expiry1d', seconds: 86_400 },
  { key: 'people.expiry7d', seconds: 7 * 86_400 },
  { key: 'people.expiry30d', seconds: 30 * 86_400 },
] as const;

/** Whether a mute ending at `until` (ms) is still on at `now`. */
export function isMuted(until: number | null | undefined, now: number): boolean {
  return typeof until === 'number' && until > now;
}
