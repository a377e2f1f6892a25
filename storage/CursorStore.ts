import type { Database } from './Database';

/** Per-user, per-session delivery cursors: what a user has received; the offline inbox is what lies after them (S13). */
export class CursorStore {
  constructor(private readonly db: Database) {}

  async get(uid: string): Promise<Map<string, number>> {
    const docs = await this.db.cursors.find({ uid }).toArray();
    return new Map(docs.map((d) => [d.sessionid, d.seq]));
  }

  /** Moves cursors forward only (a stale client cannot move them back). */
  async advance(uid: string, cursors: Map<string, number>): Promise<void> {
    if (cursors.size === 0) return;
    await this.db.cursors.bulkWrite(
      [...cursors].map(([sessionid, seq]) => ({
        updateOne: {
          filter: { _id: `${uid}:${sessionid}` },
          update: { $max: { seq }, $setOnInsert: { uid, sessionid } },
          upsert: true,
        },
      })),
      { ordered: false },
    );
  }
}
