import type { Database } from './Database';
import type { LiveStreamDoc } from './documents';

/** The `livestreams` collection: what GET /api/live lists, on any node, and the replays to expire. */
export class LiveStreamStore {
  constructor(private readonly db: Database) {}

  async create(doc: LiveStreamDoc): Promise<void> {
    await this.db.liveStreams.insertOne(doc);
  }

  async get(streamid: string): Promise<LiveStreamDoc | null> {
    return this.db.liveStreams.findOne({ _id: streamid });
  }

  async update(streamid: string, set: Partial<Omit<LiveStreamDoc, '_id'>>): Promise<void> {
    await this.db.liveStreams.updateOne({ _id: streamid }, { $set: set });
  }

  /** The owner is alive: its running streams stay listed (see listRunning, listStale). */
  async heartbeat(streamids: string[], now = Date.now()): Promise<void> {
    if (!streamids.length) return;
    await this.db.liveStreams.updateMany({ _id: { $in: streamids }, state: { $ne: 'ended' } }, { $set: { heartbeatAt: now } });
  }

  /** Streams going on whose owner refreshed them since `freshSince` (ms), newest first. */
  async listRunning(freshSince: number, limit = 200): Promise<LiveStreamDoc[]> {
    return this.db.liveStreams
      .find({ state: { $in: ['starting', 'live'] }, heartbeatAt: { $gt: freshSince } })
      .sort({ startedAt: -1 })
      .limit(limit)
      .toArray();
  }

  /** Running streams nobody refreshed since `staleBefore`: their process died with them. */
  async listStale(staleBefore: number): Promise<LiveStreamDoc[]> {
    return this.db.liveStreams.find({ state: { $in: ['starting', 'live'] }, heartbeatAt: { $lte: staleBefore } }).toArray();
  }

  /** Marks a running stream ended; false when another process did first. */
  async end(streamid: string, set: Pick<LiveStreamDoc, 'endedAt' | 'endReason' | 'replayUntil'>): Promise<boolean> {
    const res = await this.db.liveStreams.updateOne({ _id: streamid, state: { $ne: 'ended' } }, { $set: { state: 'ended', viewers: 0, ...set } });
    return res.modifiedCount > 0;
  }

  async listExpired(now: number): Promise<LiveStreamDoc[]> {
    return this.db.liveStreams.find({ state: 'ended', replayUntil: { $lte: now } }).limit(100).toArray();
  }

  async remove(streamid: string): Promise<void> {
    await this.db.liveStreams.deleteOne({ _id: streamid });
  }
}
