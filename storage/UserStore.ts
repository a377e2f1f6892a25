import { ObjectId } from 'mongodb';
import type { Database } from './Database';
import type { Gender, PresenceStatus, UserDoc } from './documents';
import { DuplicateLoginError, UserNotFoundError, isDuplicateKeyError } from './errors';

export interface NewUser {
  login: string;
  nickname: string;
  passwordHash: string;
  gender?: Gender;
}

export interface UserUpdate {
  nickname?: string;
  gender?: Gender;
  avatar?: string;
  readReceipts?: boolean;
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** registerUser, loginAction's bookkeeping, logoutAction, changePwd, getUserInfo, updateUserInfo (S16). */
export class UserStore {
  constructor(private readonly db: Database) {}

  async register(input: NewUser): Promise<UserDoc> {
    const now = Date.now();
    const doc: UserDoc = {
      _id: new ObjectId(),
      login: input.login,
      nickname: input.nickname,
      passwordHash: input.passwordHash,
      gender: input.gender ?? 0,
      lastlogin: now,
      logincount: 1,
      friends: [],
      dateline: now,
      tokenVersion: 0,
      presence: { status: 'online', sessions: {} },
    };
    try {
      await this.db.users.insertOne(doc);
    } catch (err) {
      if (isDuplicateKeyError(err)) throw new DuplicateLoginError();
      throw err;
    }
    return doc;
  }

  findByLogin(login: string): Promise<UserDoc | null> {
    return this.db.users.findOne({ login });
  }

  async get(uid: string): Promise<UserDoc> {
    const user = ObjectId.isValid(uid) ? await this.db.users.findOne({ _id: new ObjectId(uid) }) : null;
    if (!user) throw new UserNotFoundError();
    return user;
  }

  async getMany(uids: string[]): Promise<UserDoc[]> {
    const ids = uids.filter((u) => ObjectId.isValid(u)).map((u) => new ObjectId(u));
    return this.db.users.find({ _id: { $in: ids } }).toArray();
  }

  /** Records a successful login (S8 lastlogin, logincount). */
  async recordLogin(uid: string): Promise<UserDoc> {
    const user = await this.db.users.findOneAndUpdate(
      { _id: new ObjectId(uid) },
      { $set: { lastlogin: Date.now() }, $inc: { logincount: 1 } },
      { returnDocument: 'after' },
    );
    if (!user) throw new UserNotFoundError();
    return user;
  }

  /** Revokes every token issued so far (logout, password change). */
  async bumpTokenVersion(uid: string, passwordHash?: string): Promise<UserDoc> {
    const set: Partial<UserDoc> = passwordHash ? { passwordHash } : {};
    const user = await this.db.users.findOneAndUpdate(
      { _id: new ObjectId(uid) },
      { $inc: { tokenVersion: 1 }, ...(passwordHash ? { $set: set } : {}) },
      { returnDocument: 'after' },
    );
    if (!user) throw new UserNotFoundError();
    return user;
  }

  async update(uid: string, update: UserUpdate): Promise<UserDoc> {
    const set: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(update)) if (value !== undefined) set[key] = value;
    if (Object.keys(set).length === 0) return this.get(uid);
    const user = await this.db.users.findOneAndUpdate({ _id: new ObjectId(uid) }, { $set: set }, { returnDocument: 'after' });
    if (!user) throw new UserNotFoundError();
    return user;
  }

  /** Sets the user's chosen status; answers the user before and after, so callers can tell what changed. */
  async setPresence(uid: string, status: PresenceStatus, sessionid?: string): Promise<{ before: UserDoc; after: UserDoc }> {
    const set = sessionid ? { [`presence.sessions.${sessionid}`]: status } : { 'presence.status': status, 'presence.sessions': {} };
    const before = await this.db.users.findOneAndUpdate({ _id: new ObjectId(uid) }, { $set: set }, { returnDocument: 'before' });
    if (!before) throw new UserNotFoundError();
    const presence = before.presence ?? { status: 'online', sessions: {} };
    const after: UserDoc = {
      ...before,
      presence: sessionid ? { ...presence, sessions: { ...presence.sessions, [sessionid]: status } } : { status, sessions: {} },
    };
    return { before, after };
  }

  /** Finds users by exact login or by nickname prefix (case-insensitive). */
  async search(query: string, limit = 20): Promise<UserDoc[]> {
    const q = query.trim();
    return this.db.users
      .find({ $or: [{ login: q.toLowerCase() }, { nickname: { $regex: `^${escapeRegex(q)}`, $options: 'i' } }] })
      .limit(limit)
      .toArray();
  }
}
