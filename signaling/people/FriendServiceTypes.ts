import type { BlockStore } from '../../storage/BlockStore';
import type { FriendStore } from '../../storage/FriendStore';
import type { UserStore } from '../../storage/UserStore';
import type { Fanout } from '../socket/Fanout';
import type { PeopleLookup } from './personView';

/** What the FriendService works with. */
export interface FriendServiceDeps extends PeopleLookup {
  friends: FriendStore;
  blocks: Pick<BlockStore, 'between'>;
  users: Pick<UserStore, 'get' | 'getMany'>;
  /** Tells both users of every change (`friends:update`, on any node). */
  fanout: Pick<Fanout, 'friendsUpdated'>;
  /** New requests one user may send per hour. */
  requestsPerHour: number;
}
