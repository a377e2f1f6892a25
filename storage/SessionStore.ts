import { ObjectId, type Filter, type UpdateFilter } from 'mongodb';
import type { Database } from './Database';
import type { JoinType, SessionDoc, SessionType, VisableType } from './documents';
import { SessionNotFoundError, isDuplicateKeyError } from './errors';

export type SessionListType = 'all' | 'private' | 'group';

export interface NewGroup {
  name: string;
  visabletype: VisableType;
  jointype: JoinType;
}

export interface SessionUpdate {
  name?: string;
  visabletype?: VisableType;
  jointype?: JoinType;
}

/** Stored codes (signaling/protocol names them for the wire; storage does not import it). */
const PRIVATE: SessionType = 0;
const GROUP: SessionType = 1;
const HIDDEN: VisableType = 0;
const PUBLIC: VisableType = 1;
const INVITATION_ONLY: JoinType = 1;

function toObjectId(id: string): ObjectId {
  if (!ObjectId.isValid(id)) throw new SessionNotFoundError();
  return new ObjectId(id);
}

/**
 * Conversations (S8 sessions) and their members as stored; who may do what is the SessionService's
 * (signaling/sessions).
 */
export class SessionStore {
  constructor(private readonly db: Database) {}

  async get(sessionid: string): Promise<SessionDoc> {
    const session = await this.db.sessions.findOne({ _id: toObjectId(sessionid) });
    if (!session) throw new SessionNotFoundError();
    return session;
  }

  async isMember(sessionid: string, uid: string): Promise<boolean> {
    if (!ObjectId.isValid(sessionid)) return false;
    return (await this.db.sessions.countDocuments({ _id: new ObjectId(sessionid), uids: uid }, { limit: 1 })) > 0;
  }

  async createGroup(creator: string, input: NewGroup): Promise<SessionDoc> {
    const now = Date.now();
    const doc: SessionDoc = {
      _id: new ObjectId(),
      senduid: creator,
      sessiontype: GROUP,
      visabletype: input.visabletype,
      jointype: input.jointype,
      name: input.name,
      dateline: now,
      uids: [creator],
      lastSeq: 0,
      lastActivity: now,
    };
    await this.db.sessions.insertOne(doc);
    return doc;
  }

  /**
   * The private conversation of a pair (one per pair, by `pairKey`): `creator` is added back to an
   * existing one, the other user is not; a new one has both as members.
   */
  async createPrivate(creator: string, other: string, name: string): Promise<{ session: SessionDoc; created: boolean }> {
    const pairKey = [creator, other].sort().join(':');
    const existing = await this.db.sessions.findOneAndUpdate({ pairKey }, { $addToSet: { uids: creator } }, { returnDocument: 'after' });
    if (existing) return { session: existing, created: false };
    const now = Date.now();
    const doc: SessionDoc = {
      _id: new ObjectId(),
      senduid: creator,
      recvuid: other,
      sessiontype: PRIVATE,
      visabletype: HIDDEN,
      jointype: INVITATION_ONLY,
      name,
      dateline: now,
      uids: [creator, other],
      lastSeq: 0,
      lastActivity: now,
      pairKey,
    };
    try {
      await this.db.sessions.insertOne(doc);
      return { session: doc, created: true };
    } catch (err) {
      // Both users opened the conversation at the same moment: the other insert won.
      if (isDuplicateKeyError(err)) {
        const session = await this.db.sessions.findOne({ pairKey });
        if (session) return { session, created: false };
      }
      throw err;
    }
  }

  listJoined(uid: string, type: SessionListType): Promise<SessionDoc[]> {
    const filter: Filter<SessionDoc> = { uids: uid };
    if (type === 'private') filter.sessiontype = PRIVATE;
    if (type === 'group') filter.sessiontype = GROUP;
    return this.db.sessions.find(filter).sort({ lastActivity: -1 }).limit(1000).toArray();
  }

  async joinedIds(uid: string): Promise<string[]> {
    const docs = await this.db.sessions.find({ uids: uid }, { projection: { _id: 1 } }).toArray();
    return docs.map((d) => d._id.toHexString());
  }

  listPublic(limit: number, before?: number): Promise<SessionDoc[]> {
    const filter: Filter<SessionDoc> = { visabletype: PUBLIC, sessiontype: GROUP };
    if (before !== undefined) filter.dateline = { $lt: before };
    return this.db.sessions.find(filter, { projection: { lastMessage: 0 } }).sort({ dateline: -1 }).limit(limit).toArray();
  }

  /** Adds a member (no-op when already one); answers the session after the change. */
  async addMember(sessionid: string, uid: string): Promise<SessionDoc> {
    return this.updated(sessionid, { $addToSet: { uids: uid } });
  }

  async removeMember(sessionid: string, uid: string): Promise<SessionDoc> {
    return this.updated(sessionid, { $pull: { uids: uid } });
  }

  async updateSettings(sessionid: string, update: SessionUpdate): Promise<SessionDoc> {
    return this.updated(sessionid, { $set: update });
  }

  private async updated(sessionid: string, update: UpdateFilter<SessionDoc>): Promise<SessionDoc> {
    const session = await this.db.sessions.findOneAndUpdate({ _id: toObjectId(sessionid) }, update, { returnDocument: 'after' });
    if (!session) throw new SessionNotFoundError();
    return session;
  }
}
