import { LimitError } from '../errors/DomainError';
import type { FriendState, FriendStateAnswer, FriendsList } from '../protocol/people';
import { RateLimiter } from '../util/RateLimiter';
import type { FriendServiceDeps } from './FriendServiceTypes';
import { AlreadyFriendsError, BlockedError, FriendRequestNotFoundError, SelfTargetError } from './peopleErrors';
import { peopleViews } from './personView';

/**
 * Friends (S26, the original `users.friends`): requests, answers, removal. Every change is pushed to
 * both users as `friends:update`, each from their own side. A block between two users (either way)
 * refuses requests; blocking ends a friendship (BlockService calls `sever`).
 */
export class FriendService {
  private readonly requestLimiter: RateLimiter;

  constructor(private readonly deps: FriendServiceDeps) {
    this.requestLimiter = new RateLimiter(deps.requestsPerHour / 3600, deps.requestsPerHour);
  }

  async list(uid: string): Promise<FriendsList> {
    const { friends } = this.deps;
    const [friendIds, incoming, outgoing] = await Promise.all([friends.friendsOf(uid), friends.incoming(uid), friends.outgoing(uid)]);
    const [friendViews, incomingViews, outgoingViews] = await Promise.all([
      peopleViews(this.deps, friendIds),
      peopleViews(this.deps, incoming.map((r) => r.from)),
      peopleViews(this.deps, outgoing.map((r) => r.to)),
    ]);
    return { friends: friendViews, incoming: incomingViews, outgoing: outgoingViews };
  }

  /**
   * A request to `other`; when `other` already asked the caller, the two become friends at once.
   * Asking again while a request waits changes nothing (and costs nothing of the hourly allowance).
   */
  async request(uid: string, other: string): Promise<FriendStateAnswer> {
    const { friends, users, blocks } = this.deps;
    if (uid === other) throw new SelfTargetError('befriend');
    await users.get(other);
    if (await blocks.between(uid, other)) throw new BlockedError();
    if (await friends.areFriends(uid, other)) throw new AlreadyFriendsError();
    if (await friends.hasRequest(other, uid)) return this.makeFriends(uid, other);
    if (await friends.hasRequest(uid, other)) return { uid: other, state: 'outgoing' };
    if (!this.requestLimiter.take(uid)) throw new LimitError('too many friend requests; try again later');
    await friends.addRequest(uid, other);
    // Both asked at the same moment: the other request was stored while this one was.
    if (await friends.hasRequest(other, uid)) return this.makeFriends(uid, other);
    this.tell(uid, other, 'outgoing');
    this.tell(other, uid, 'incoming');
    return { uid: other, state: 'outgoing' };
  }

  /** Accepts `from`'s request; accepting again once friends answers the same. */
  async accept(uid: string, from: string): Promise<FriendStateAnswer> {
    const { friends, blocks } = this.deps;
    if (await friends.areFriends(uid, from)) return { uid: from, state: 'friends' };
    if (!(await friends.hasRequest(from, uid))) throw new FriendRequestNotFoundError();
    if (await blocks.between(uid, from)) throw new BlockedError();
    return this.makeFriends(uid, from);
  }

  /** Declines `from`'s request (nothing to decline is no error: a retry answers the same). */
  async decline(uid: string, from: string): Promise<FriendStateAnswer> {
    if (await this.deps.friends.removeRequest(from, uid)) this.tellBoth(uid, from, 'none');
    return { uid: from, state: await this.stateOf(uid, from) };
  }

  /** Ends a friendship, or withdraws (or declines) a request between the two. */
  async remove(uid: string, other: string): Promise<FriendStateAnswer> {
    await this.sever(uid, other);
    return { uid: other, state: 'none' };
  }

  /** Ends whatever stands between the two (friendship, requests) and tells both; a block does this too. */
  async sever(a: string, b: string): Promise<void> {
    if (await this.deps.friends.sever(a, b)) this.tellBoth(a, b, 'none');
  }

  private async makeFriends(uid: string, other: string): Promise<FriendStateAnswer> {
    await this.deps.friends.befriend(uid, other);
    this.tellBoth(uid, other, 'friends');
    return { uid: other, state: 'friends' };
  }

  private async stateOf(uid: string, other: string): Promise<FriendState> {
    const { friends } = this.deps;
    if (await friends.areFriends(uid, other)) return 'friends';
    if (await friends.hasRequest(uid, other)) return 'outgoing';
    if (await friends.hasRequest(other, uid)) return 'incoming';
    return 'none';
  }

  /** A symmetric state (friends, none) to both users. */
  private tellBoth(a: string, b: string, state: 'friends' | 'none'): void {
    this.tell(a, b, state);
    this.tell(b, a, state);
  }

  private tell(receiver: string, other: string, state: FriendState): void {
    this.deps.fanout.friendsUpdated(receiver, { uid: other, state });
  }
}
