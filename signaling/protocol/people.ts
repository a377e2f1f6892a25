/**
 * People (S26, PROTOCOL.md "People"): friends, blocks, group roles and moderation, invite links.
 * Wire shapes and the schemas of their requests, shared by the server and the web client.
 */
import { z } from 'zod';
import type { SessionType, JoinType, UserView, VisableType, VisiblePresence } from './models';

// ---- friends ----

/** How the other user stands with the receiver: a request sent, one received, friends, or nothing. */
export const FriendState = ['outgoing', 'incoming', 'friends', 'none'] as const;
export type FriendState = (typeof FriendState)[number];

/** `friends:update`, to both users of a change: `uid` is the other user, `state` from the receiver's side. */
export interface FriendUpdateEvent {
  uid: string;
  state: FriendState;
}

/** A user in the friends and blocks lists: the user view with presence, as members are listed. */
export interface PersonView extends UserView {
  presence: VisiblePresence;
}

/** `GET /api/friends`. */
export interface FriendsList {
  friends: PersonView[];
  /** Requests others sent to the caller, newest first. */
  incoming: PersonView[];
  /** The caller's requests waiting for an answer, newest first. */
  outgoing: PersonView[];
}

/** What every friends operation answers: the other user and where the caller now stands with them. */
export interface FriendStateAnswer {
  uid: string;
  state: FriendState;
}

export const FriendRequestBody = z.object({ uid: z.string().regex(/^[0-9a-f]{24}$/, 'must be a 24-hex id') });
export type FriendRequestBody = z.infer<typeof FriendRequestBody>;

// ---- blocks ----

/** `GET /api/blocks`: the users the caller blocked. */
export interface BlocksList {
  blocks: PersonView[];
}

/** `POST /api/blocks` and `DELETE /api/blocks/:uid`. */
export interface BlockAnswer {
  uid: string;
  blocked: boolean;
}

export const BlockBody = FriendRequestBody;

// ---- group roles and moderation ----

/** A role beyond plain membership; everyone else in a group is a member. */
export const GroupRole = ['owner', 'admin'] as const;
export type GroupRole = (typeof GroupRole)[number];
/** What `PATCH /api/sessions/:id/members/:uid` may set. */
export const MemberRole = ['owner', 'admin', 'member'] as const;
export type MemberRole = (typeof MemberRole)[number];

/**
 * `PATCH /api/sessions/:id/members/:uid`: `role` (the owner; `owner` hands the group over and the
 * old owner becomes an admin), `mutedUntil` (owners/admins; ms since epoch, `null` lifts the mute).
 */
export const UpdateMemberBody = z
  .object({
    role: z.enum(MemberRole).optional(),
    mutedUntil: z.number().int().nonnegative().nullable().optional(),
  })
  .strict()
  .refine((b) => b.role !== undefined || b.mutedUntil !== undefined, 'role or mutedUntil is needed');
export type UpdateMemberBody = z.infer<typeof UpdateMemberBody>;

export const BanBody = FriendRequestBody;

// ---- invite links ----

/** Invite links live at most this long (seconds); without `expiresIn`, the default. */
export const InviteLimits = { expiresInMin: 1, expiresInMax: 30 * 24 * 3600, expiresInDefault: 7 * 24 * 3600 } as const;

export const CreateInviteBody = z
  .object({ expiresIn: z.number().int().min(InviteLimits.expiresInMin).max(InviteLimits.expiresInMax).optional() })
  .strict();
export type CreateInviteBody = z.infer<typeof CreateInviteBody>;

/** An invite code: 128 random bits, base64url. */
export const InviteCodeParam = z.string().regex(/^[A-Za-z0-9_-]{22}$/, 'not an invite code');

/** `POST /api/sessions/:id/invites` (201) and each entry of `GET /api/sessions/:id/invites`. */
export interface InviteView {
  code: string;
  sessionid: string;
  /** ms since epoch. */
  expiresAt: number;
  /** Who made the link. */
  createdBy: string;
  dateline: number;
}

/** `GET /api/invites/:code`: what the join page shows before joining. */
export interface InvitePreview {
  session: {
    sessionid: string;
    name: string;
    sessiontype: SessionType;
    visabletype: VisableType;
    jointype: JoinType;
    memberCount: number;
  };
  expiresAt: number;
}
