import type { BlockAnswer, BlocksList } from '../protocol/people';
import type { BlockServiceDeps } from './BlockServiceTypes';
import { BlockedError, SelfTargetError } from './peopleErrors';
import { peopleViews } from './personView';

/**
 * Blocks (S26). A block between two users, whichever of them made it, refuses a private chat
 * between them (opening, sending, editing), friend requests and private calls: `blocked`. Adding
 * the blocker to a group is refused to the blocked user only. Shared groups refuse nothing: the
 * blocker's client hides the blocked user's messages, knowing whom from `GET /api/blocks`.
 */
export class BlockService {
  constructor(private readonly deps: BlockServiceDeps) {}

  async list(uid: string): Promise<BlocksList> {
    return { blocks: await peopleViews(this.deps, await this.deps.blocks.blockedBy(uid)) };
  }

  /** Blocks `other` (again: no change); their friendship and requests with the caller end. */
  async block(uid: string, other: string): Promise<BlockAnswer> {
    if (uid === other) throw new SelfTargetError('block');
    await this.deps.users.get(other);
    await this.deps.blocks.block(uid, other);
    await this.deps.friends.sever(uid, other);
    return { uid: other, blocked: true };
  }

  async unblock(uid: string, other: string): Promise<BlockAnswer> {
    await this.deps.blocks.unblock(uid, other);
    return { uid: other, blocked: false };
  }

  /** Refuses when either user blocked the other (private chats, friends, calls). */
  async mustNotBeBlocked(a: string, b: string): Promise<void> {
    if (await this.deps.blocks.between(a, b)) throw new BlockedError();
  }

  /** Refuses `actor` when `blocker` blocked them (adding the blocker to a group). */
  async mustNotBeBlockedBy(blocker: string, actor: string): Promise<void> {
    if (await this.deps.blocks.blocks(blocker, actor)) throw new BlockedError();
  }
}
