import type { BlockStore } from '../../storage/BlockStore';
import type { UserStore } from '../../storage/UserStore';
import type { FriendService } from './FriendService';
import type { PeopleLookup } from './personView';

/** What the BlockService works with. */
export interface BlockServiceDeps extends PeopleLookup {
  blocks: BlockStore;
  users: Pick<UserStore, 'get' | 'getMany'>;
  /** A block ends the friendship and the requests between the two. */
  friends: Pick<FriendService, 'sever'>;
}
