import type { Database } from '../../storage/Database';
import { UserSlots } from '../../storage/UserSlots';
import { AlreadyLiveError } from './liveErrors';
import { STALE_MS } from './liveTiming';

/** Kinds of a user's places in UserSlots: streams running (LIVE_STREAMS_PER_USER), and the one not started yet. */
const STREAM_SLOT = 'live';
const UNSTARTED_SLOT = 'live-unstarted';

/** Each user's streams, counted across every node (LIVE_STREAMS_PER_USER; one not started yet at most). */
export class LivePlaces {
  private readonly slots: UserSlots;

  constructor(db: Database) {
    this.slots = new UserSlots(db, STALE_MS);
  }

  /**
   * A user runs at most `perUser` streams across every node, and at most one of them not started
   * yet: several tabs or connections preparing streams cannot hold every place of the servers
   * (LIVE_MAX_STREAMS) while others are refused. The one being prepared ends by itself (its
   * connection closes, or it is not started within RECONNECT_MS), so refusing is enough.
   */
  async claim(uid: string, streamid: string, perUser: number): Promise<void> {
    if (!(await this.slots.claim(uid, UNSTARTED_SLOT, streamid, 1))) {
      throw new AlreadyLiveError('you are already setting up a live stream (in another tab or on another device); start or stop it first');
    }
    let claimed = false;
    try {
      claimed = await this.slots.claim(uid, STREAM_SLOT, streamid, perUser);
    } finally {
      if (!claimed) await this.slots.release(streamid).catch(() => undefined);
    }
    if (!claimed) throw new AlreadyLiveError(`you already run ${perUser === 1 ? 'a live stream' : `${perUser} live streams`}; stop one first`);
  }

  /** Started: the user may prepare another (within LIVE_STREAMS_PER_USER). */
  async started(streamid: string): Promise<void> {
    await this.slots.release(streamid, UNSTARTED_SLOT).catch(() => undefined);
  }

  /** Frees every place of the stream. */
  release(streamid: string): Promise<void> {
    return this.slots.release(streamid);
  }

  /** The owner is alive: its streams keep their places. */
  refresh(streamids: string[]): Promise<void> {
    return this.slots.refresh(streamids);
  }
}
