import { ObjectId, type Filter } from 'mongodb';
import type { Database } from './Database';
import type { JoinType, SessionDoc, VisableType } from './documents';
import {
  ForbiddenError,
  InvalidOperationError,
  InvitationOnlyError,
  NotMemberError,
  SessionNotFoundError,
  isDuplicateKeyError,
} from './errors';

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

function toObjectId(id: string): ObjectId {
  if (!ObjectId.isValid(id)) throw new SessionNotFoundError();
  return new ObjectId(id);
}

/** Conversations (S8 sessions) and their membership: the session operations of S16. */
export class SessionStore {
  constructor(private readonly db: Database) {}

  async get(sessionid: string): Promise<SessionDoc> {
    const session = await this.db.sessions.findOne({ _id: toObjectId(sessionid) });
    if (!session) throw new SessionNotFoundError();
    return session;
  }

  /** The session, if `uid` is a member; otherwise not_member (or session_not_found). */
  async getForMember(sessionid: string, uid: string): Promise<SessionDoc> {
    const session = await this.get(sessionid);
    if (!session.uids.includes(uid)) throw new NotMemberError();
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
      sessiontype: 1,
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
   * The one private conversation between two users, created on first use with both as members.
   * Opening it again re-adds only the caller: someone who left it gets it back only by opening it
   * themselves, never because the other person did (README, "Private chats").
   */
  async createPrivate(creator: string, other: string, name: string): Promise<{ session: SessionDoc; created: boolean }> {
    if (creator === other) throw new InvalidOperationError('a private conversation needs another user');
    const pairKey = [creator, other].sort().join(':');
    const existing = await this.db.sessions.findOneAndUpdate({ pairKey }, { $addToSet: { uids: creator } }, { returnDocument: 'after' });
    if (existing) return { session: existing, created: false };
    const now = Date.now();
    const doc: SessionDoc = {
      _id: new ObjectId(),
      senduid: creator,
      recvuid: other,
      sessiontype: 0,
      visabletype: 0,
      jointype: 1,
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
    if (type === 'private') filter.sessiontype = 0;
    if (type === 'group') filter.sessiontype = 1;
    return this.db.sessions.find(filter).sort({ lastActivity: -1 }).limit(1000).toArray();
  }

  async joinedIds(uid: string): Promise<string[]> {
    const docs = await this.db.sessions.find({ uids: uid }, { projection: { _id: 1 } }).toArray();
    return docs.map((d) => d._id.toHexString());
  }

  listPublic(limit: number, before?: number): Promise<SessionDoc[]> {
    const filter: Filter<SessionDoc> = { visabletype: 1, sessiontype: 1 };
    if (before !== undefined) filter.dateline = { $lt: before };
    return this.db.sessions.find(filter, { projection: { lastMessage: 0 } }).sort({ dateline: -1 }).limit(limit).toArray();
  }

  async join(sessionid: string, uid: string): Promise<SessionDoc> {
    const session = await this.get(sessionid);
    if (session.uids.includes(uid)) return session;
    if (session.sessiontype !== 1) throw new ForbiddenError('private conversations cannot be joined');
    if (session.jointype === 1) throw new InvitationOnlyError();
    return this.addMember(session, uid);
  }

  /**
   * A member adds another user to a group. Into an invitation-only group only its creator may add
   * people (roles arrive later); any member may add people to an open group, which anyone may join.
   */
  async invite(sessionid: string, inviter: string, uid: string): Promise<SessionDoc> {
    const session = await this.getForMember(sessionid, inviter);
    if (session.sessiontype !== 1) throw new ForbiddenError('only groups take invitations');
    if (session.jointype === 1 && session.senduid !== inviter) {
      throw new ForbiddenError('only the group creator may add members to an invitation-only group');
    }
    if (session.uids.includes(uid)) return session;
    return this.addMember(session, uid);
  }

  private async addMember(session: SessionDoc, uid: string): Promise<SessionDoc> {
    const updated = await this.db.sessions.findOneAndUpdate(
      { _id: session._id },
      { $addToSet: { uids: uid } },
      { returnDocument: 'after' },
    );
    if (!updated) throw new SessionNotFoundError();
    return updated;
  }

  async leave(sessionid: string, uid: string): Promise<SessionDoc> {
    const session = await this.getForMember(sessionid, uid);
    const updated = await this.db.sessions.findOneAndUpdate(
      { _id: session._id },
      { $pull: { uids: uid } },
      { returnDocument: 'after' },
    );
    if (!updated) throw new SessionNotFoundError();
    return updated;
  }

  async update(sessionid: string, uid: string, update: SessionUpdate): Promise<SessionDoc> {
    const session = await this.getForMember(sessionid, uid);
    if (session.sessiontype !== 1) throw new ForbiddenError('only groups have settings');
    if (session.senduid !== uid) throw new ForbiddenError('only the group creator may change its settings');
    const set: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(update)) if (value !== undefined) set[key] = value;
    if (Object.keys(set).length === 0) return session;
    const updated = await this.db.sessions.findOneAndUpdate({ _id: session._id }, { $set: set }, { returnDocument: 'after' });
    if (!updated) throw new SessionNotFoundError();
    return updated;
  }
}
