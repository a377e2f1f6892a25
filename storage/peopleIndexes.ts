import { BlockStore } from './BlockStore';
import type { Database } from './Database';
import { FriendStore } from './FriendStore';
import { InviteStore } from './InviteStore';

/** Indexes of the people collections (S26): friend requests, blocks, invite links. */
export async function ensurePeopleIndexes(db: Database): Promise<void> {
  await Promise.all([FriendStore.ensureIndexes(db), BlockStore.ensureIndexes(db), InviteStore.ensureIndexes(db)]);
}
