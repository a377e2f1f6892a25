import type { Database } from './Database';

/** The `online` collection (S8, S17): one record per connected socket, kept alive by the keepalive, expired by TTL. */
export class PresenceStore {
  constructor(
    private readonly db: Database,
    private readonly ttlMs: number,
  ) {}

  async markOnline(socketId: string, uid: string, node: string): Promise<void> {
    await this.db.online.updateOne({ _id: socketId }, { $set: { uid, node, time: new Date() } }, { upsert: true });
  }

  /** Refreshes the record; answers false when it had already expired (the caller re-creates it). */
  async refresh(socketId: string): Promise<boolean> {
    const res = await this.db.online.updateOne({ _id: socketId }, { $set: { time: new Date() } });
    return res.matchedCount > 0;
  }

  async markOffline(socketId: string): Promise<void> {
    await this.db.online.deleteOne({ _id: socketId });
  }

  private freshSince(): Date {
    return new Date(Date.now() - this.ttlMs);
  }

  async isOnline(uid: string): Promise<boolean> {
    return (await this.db.online.countDocuments({ uid, time: { $gt: this.freshSince() } }, { limit: 1 })) > 0;
  }

  async onlineAmong(uids: string[]): Promise<Set<string>> {
    const online = await this.db.online.distinct('uid', { uid: { $in: uids }, time: { $gt: this.freshSince() } });
    return new Set(online as string[]);
  }

  /**
   * Removes online records nobody refreshed for `staleMs` (their socket's process died, e.g. a node
   * killed with SIGKILL) and answers the uids whose records this call removed, so the caller can
   * announce them offline. Concurrent sweepers on other processes each answer only what they removed.
   */
  async sweepStale(staleMs: number, limit = 1000): Promise<string[]> {
    const cutoff = new Date(Date.now() - staleMs);
    const stale = await this.db.online.find({ time: { $lte: cutoff } }, { projection: { uid: 1 } }).limit(limit).toArray();
    const uids = new Set<string>();
    for (const record of stale) {
      const res = await this.db.online.deleteOne({ _id: record._id, time: { $lte: cutoff } });
      if (res.deletedCount > 0) uids.add(record.uid);
    }
    return [...uids];
  }

  /** Removes the records a node left behind (its process died without cleaning up). */
  async clearNode(node: string): Promise<void> {
    await this.db.online.deleteMany({ node });
  }
}
