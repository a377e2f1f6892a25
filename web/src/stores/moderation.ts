/**
 * Group roles and moderation (PROTOCOL.md "People"): who is owner or admin, who is muted until
 * when, and the owner's and admins' actions on members, bans and invite links. The server pushes
 * `session:update` after each change; the conversation is fetched again here too, so the member
 * list shows the result at once.
 */
import { reactive } from 'vue';
import { SessionType, type InvitePreview, type InviteView, type SessionView, type UpdateMemberBody, type UserView } from '@protocol';
import { api } from '@/lib/api';
import { mayModerate, roleIn, type MemberRole } from '@/lib/groupRoles';
import { auth } from './auth';
import { sessions } from './sessions';
import { users } from './users';

const state = reactive({
  /** Banned users per group, as last listed. */
  bans: {} as Record<string, UserView[]>,
  /** Invite links per group, as last listed. */
  invites: {} as Record<string, InviteView[]>,
});

function refresh(sessionid: string): Promise<unknown> {
  return sessions.fetchOne(sessionid).catch(() => undefined);
}

function roleOf(session: SessionView, uid: string): MemberRole {
  if (session.sessiontype !== SessionType.Group) return 'member';
  // groups carry `roles`; a copy kept from before roles existed: the members' own, else the creator owns it
  if (session.roles) return roleIn(session.roles, session.senduid, uid);
  return sessions.state.members[session.sessionid]?.find((m) => m.uid === uid)?.role ?? roleIn(undefined, session.senduid, uid);
}

/** When a member's mute ends (ms), 0 when not muted. */
function mutedUntil(sessionid: string, uid: string): number {
  const session = sessions.state.sessions[sessionid];
  const fromMembers = sessions.state.members[sessionid]?.find((m) => m.uid === uid)?.mutedUntil;
  return session?.mutes?.[uid] ?? fromMembers ?? 0;
}

async function updateMember(sessionid: string, uid: string, body: UpdateMemberBody): Promise<void> {
  await api<unknown>(`/sessions/${sessionid}/members/${uid}`, { method: 'PATCH', body });
  await refresh(sessionid);
}

export const moderation = {
  state,
  roleOf,
  mutedUntil,

  /** Whether the signed-in user owns or administers the group. */
  canManage(session: SessionView): boolean {
    return roleOf(session, auth.uid.value) !== 'member';
  },

  /** Whether the signed-in user may kick, ban or mute this member: the owner anyone else, admins plain members. */
  canModerate(session: SessionView, uid: string): boolean {
    return mayModerate(roleOf(session, auth.uid.value), roleOf(session, uid), uid === auth.uid.value);
  },

  setRole(sessionid: string, uid: string, role: 'admin' | 'member'): Promise<void> {
    return updateMember(sessionid, uid, { role });
  },

  /** Hands the group over: the old owner becomes an admin. */
  transferOwnership(sessionid: string, uid: string): Promise<void> {
    return updateMember(sessionid, uid, { role: 'owner' });
  },

  mute(sessionid: string, uid: string, forMs: number): Promise<void> {
    return updateMember(sessionid, uid, { mutedUntil: Date.now() + forMs });
  },

  unmute(sessionid: string, uid: string): Promise<void> {
    return updateMember(sessionid, uid, { mutedUntil: null });
  },

  async kick(sessionid: string, uid: string): Promise<void> {
    await api<void>(`/sessions/${sessionid}/members/${uid}`, { method: 'DELETE' });
    await refresh(sessionid);
  },

  async ban(sessionid: string, uid: string): Promise<void> {
    await api<unknown>(`/sessions/${sessionid}/bans`, { body: { uid } });
    await Promise.all([refresh(sessionid), moderation.loadBans(sessionid).catch(() => undefined)]);
  },

  async unban(sessionid: string, uid: string): Promise<void> {
    await api<void>(`/sessions/${sessionid}/bans/${uid}`, { method: 'DELETE' });
    state.bans[sessionid] = (state.bans[sessionid] ?? []).filter((user) => user.uid !== uid);
  },

  async loadBans(sessionid: string): Promise<void> {
    const { bans } = await api<{ bans: UserView[] }>(`/sessions/${sessionid}/bans`);
    for (const user of bans) users.remember(user.uid, user.nickname, user.avatar ?? null);
    state.bans[sessionid] = bans;
  },

  /** `expiresIn` in seconds; none: the server's default (PROTOCOL: InviteLimits). */
  async createInvite(sessionid: string, expiresIn?: number): Promise<InviteView> {
    const invite = await api<InviteView>(`/sessions/${sessionid}/invites`, { body: expiresIn ? { expiresIn } : {} });
    const list = (state.invites[sessionid] ??= []);
    if (!list.some((known) => known.code === invite.code)) list.unshift(invite);
    return invite;
  },

  async loadInvites(sessionid: string): Promise<void> {
    const { invites } = await api<{ invites: InviteView[] }>(`/sessions/${sessionid}/invites`);
    state.invites[sessionid] = invites;
  },

  async revokeInvite(sessionid: string, code: string): Promise<void> {
    await api<void>(`/sessions/${sessionid}/invites/${encodeURIComponent(code)}`, { method: 'DELETE' });
    state.invites[sessionid] = (state.invites[sessionid] ?? []).filter((invite) => invite.code !== code);
  },

  previewInvite(code: string): Promise<InvitePreview> {
    return api<InvitePreview>(`/invites/${encodeURIComponent(code)}`);
  },

  async joinByInvite(code: string): Promise<SessionView> {
    const { session } = await api<{ session: SessionView }>(`/invites/${encodeURIComponent(code)}/join`, { method: 'POST' });
    return sessions.upsert(session);
  },

  /** The link to give out for an invite code. */
  inviteUrl(code: string): string {
    return new URL(`/invite/${encodeURIComponent(code)}`, window.location.origin).href;
  },

  reset(): void {
    state.bans = {};
    state.invites = {};
  },
};
