/**
 * Bench set-up straight in the database: users (with a placeholder hash: they never sign in, the
 * bench signs their tokens) and groups of `roomSize` members. Registering thousands of users
 * through scrypt would only measure password hashing.
 */
import { ObjectId } from 'mongodb';
import { Database } from '../../storage/Database';

export interface SeededMember {
  uid: string;
  sessionid: string;
}

export async function seedUsersInRooms(url: string, dbName: string, count: number, roomSize: number, prefix: string): Promise<SeededMember[]> {
  const db = await Database.connect({ url, dbName, onlineTtlSeconds: 60 });
  try {
    const now = Date.now();
    const users = Array.from({ length: count }, (_, i) => ({
      _id: new ObjectId(),
      login: `${prefix}${i}@example.test`,
      nickname: `${prefix} ${i}`,
      passwordHash: 'scrypt$1$1$1$AA==$AA==',
      gender: 0 as const,
      lastlogin: now,
      logincount: 1,
      friends: [],
      dateline: now,
      tokenVersion: 0,
      presence: { status: 'online' as const, sessions: {} },
    }));
    await db.users.insertMany(users);
    const members: SeededMember[] = [];
    for (let i = 0; i < users.length; i += roomSize) {
      const uids = users.slice(i, i + roomSize).map((u) => u._id.toHexString());
      const sessionid = new ObjectId();
      await db.sessions.insertOne({
        _id: sessionid,
        senduid: uids[0],
        sessiontype: 1,
        visabletype: 1,
        jointype: 0,
        name: `${prefix} room ${i / roomSize}`,
        dateline: now,
        uids,
        lastSeq: 0,
        lastActivity: now,
      });
      for (const uid of uids) members.push({ uid, sessionid: sessionid.toHexString() });
    }
    return members;
  } finally {
    await db.close();
  }
}
