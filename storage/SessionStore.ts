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
  /** An avatar path; "" removes the picture. */
  avatar?: string;
}

/** Stored codes (signaling/protocol names them for the wire; storage does not import it). */
const PRIVATE: SessionType = 0;
const GROUP: SessionType = 1;
const HIDDEN: VisableType = 0;
const PUBLIC: VisableType = 1;
const INVITATION_ONLY: JoinType = 1;

/** A member's role and mute, cleared when they leave the group. */
function memberState(uid: string): Record<string, ''> {
  return { [`roles.${uid}`]: '', [`mutes.${uid}`]: '' };
}

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
      roles: { [creator]: 'owner' },
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

  /**
   * Adds a member unless banned (checked in the same write, so a ban racing the add wins); null when
   * banned.
   */
  async addMemberUnlessBanned(sessionid: string, uid: string): Promise<SessionDoc | null> {
    return this.db.sessions.findOneAndUpdate({ _id: toObjectId(sessionid), bans: { $ne: uid } }, { $addToSet: { uids: uid } }, { returnDocument: 'after' });
  }

  /** Removes a member with their role and mute (a member who comes back starts plain). */
  async removeMember(sessionid: string, uid: string): Promise<SessionDoc> {
    return this.updated(sessionid, { $pull: { uids: uid }, $unset: memberState(uid) });
  }

  /** Sets a member's role (`null`: plain member); null when they are not a member (any more). */
  async setRole(sessionid: string, uid: string, role: 'owner' | 'admin' | null): Promise<SessionDoc | null> {
    const update: UpdateFilter<SessionDoc> = role ? { $set: { [`roles.${uid}`]: role } } : { $unset: { [`roles.${uid}`]: '' } };
    return this.db.sessions.findOneAndUpdate({ _id: toObjectId(sessionid), uids: uid }, update, { returnDocument: 'after' });
  }

  /**
   * Ownership passes from `from` to `to` in one write (the old owner stays as an admin), only while
   * both are members; null otherwise.
   */
  async handOver(sessionid: string, from: string, to: string): Promise<SessionDoc | null> {
    return this.db.sessions.findOneAndUpdate(
      { _id: toObjectId(sessionid), uids: { $all: [from, to] } },
      { $set: { [`roles.${to}`]: 'owner', [`roles.${from}`]: 'admin' } },
      { returnDocument: 'after' },
    );
  }

  /** Mutes a member until `until` (ms), or lifts the mute (`null`); null when not a member. */
  async setMute(sessionid: string, uid: string, until: number | null): Promise<SessionDoc | null> {
    const update: UpdateFilter<SessionDoc> = until !== null ? { $set: { [`mutes.${uid}`]: until } } : { $unset: { [`mutes.${uid}`]: '' } };
    return this.db.sessions.findOneAndUpdate({ _id: toObjectId(sessionid), uids: uid }, update, { returnDocument: 'after' });
  }

  /** Bans a user, removing them (with their role and mute) when a member. */
  async ban(sessionid: string, uid: string): Promise<SessionDoc> {
    return this.updated(sessionid, { $addToSet: { bans: uid }, $pull: { uids: uid }, $unset: memberState(uid) });
  }

  async unban(sessionid: string, uid: string): Promise<SessionDoc> {
    return this.updated(sessionid, { $pull: { bans: uid } });
  }

  /** What a send needs to know (mutes, the pair of a private chat), without the rest of the document. */
  async writeState(sessionid: string): Promise<Pick<SessionDoc, '_id' | 'sessiontype' | 'senduid' | 'recvuid' | 'mutes'> | null> {
    if (!ObjectId.isValid(sessionid)) return null;
    return this.db.sessions.findOne({ _id: new ObjectId(sessionid) }, { projection: { sessiontype: 1, senduid: 1, recvuid: 1, mutes: 1 } });
  }

  async updateSettings(sessionid: string, update: SessionUpdate): Promise<SessionDoc> {
    const { avatar, ...rest } = update;
    if (avatar === '') return this.updated(sessionid, { $set: rest, $unset: { avatar: '' } });
    return this.updated(sessionid, { $set: avatar === undefined ? rest : { ...rest, avatar } });
  }

  private async updated(sessionid: string, update: UpdateFilter<SessionDoc>): Promise<SessionDoc> {
    const session = await this.db.sessions.findOneAndUpdate({ _id: toObjectId(sessionid) }, update, { returnDocument: 'after' });
    if (!session) throw new SessionNotFoundError();
    return session;
  }
}
