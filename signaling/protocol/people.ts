/** People (S26, PROTOCOL.md "People"): friends, blocks, group roles and moderation, invite links. */
import type { UserView, VisiblePresence } from './models';

/** A friendship from one user's point of view. */
export const FriendState = ['outgoing', 'incoming', 'friends', 'none'] as const;
export type FriendState = (typeof FriendState)[number];

/** A user in the friends list, with their presence when the server says it. */
export type FriendView = UserView & { presence?: VisiblePresence };

/** GET /api/friends. */
export interface FriendsAnswer {
  friends: FriendView[];
  incoming: FriendView[];
  outgoing: FriendView[];
}

/** `friends:update`, pushed to both users: `uid` is the other user, `state` as the receiver sees it. */
export interface FriendsUpdateEvent {
  uid: string;
  state: FriendState;
}

/** GET /api/blocks. */
export interface BlocksAnswer {
  blocks: UserView[];
}

/** A group role; everyone without one is a plain member. */
export const GroupRole = ['owner', 'admin'] as const;
export type GroupRole = (typeof GroupRole)[number];

/** PATCH /api/sessions/:id/members/:uid: `member` takes a role away, `owner` hands ownership over. */
export interface UpdateMemberBody {
  role?: GroupRole | 'member';
  /** ms since epoch; null or 0 unmutes. */
  mutedUntil?: number | null;
}

/** An invite link of a group: POST /api/sessions/:id/invites answers `{ code, expiresAt }`. */
export interface InviteView {
  code: string;
  /** ms since epoch; absent or null: never expires. */
  expiresAt?: number | null;
  createdBy?: string;
  createdAt?: number;
}

/** GET /api/invites/:code: what the join page shows before joining. */
export interface InvitePreview {
  code?: string;
  sessionid?: string;
  name: string;
  memberCount: number;
  expiresAt?: number | null;
}
