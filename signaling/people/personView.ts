import type { UserDoc } from '../../storage/documents';
import type { PresenceStore } from '../../storage/PresenceStore';
import type { UserStore } from '../../storage/UserStore';
import type { PersonView } from '../protocol/people';
import { userView, visiblePresence, type FileUrlSigner } from '../views';

/** Another user as the friends and blocks lists show them: their view (no login) with presence. */
export function personView(user: UserDoc, online: boolean, signer?: FileUrlSigner): PersonView {
  return { ...userView(user, false, signer), presence: visiblePresence(user, online) };
}

/** What listing people needs. */
export interface PeopleLookup {
  users: Pick<UserStore, 'getMany'>;
  presence: Pick<PresenceStore, 'onlineAmong'>;
  fileUrls: FileUrlSigner;
}

/** The users named, as person views in the order given (unknown ones left out). */
export async function peopleViews({ users, presence, fileUrls }: PeopleLookup, uids: string[]): Promise<PersonView[]> {
  if (uids.length === 0) return [];
  const [docs, online] = await Promise.all([users.getMany(uids), presence.onlineAmong(uids)]);
  const byId = new Map(docs.map((u) => [u._id.toHexString(), u]));
  return uids.flatMap((uid) => {
    const user = byId.get(uid);
    return user ? [personView(user, online.has(uid), fileUrls)] : [];
  });
}
