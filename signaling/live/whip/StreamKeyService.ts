import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { SessionStore } from '../../../storage/SessionStore';
import type { StreamKeyDoc, StreamKeyStore } from '../../../storage/StreamKeyStore';
import { StreamKeyLimits, type CreateStreamKeyBody, type CreateStreamKeyResult, type StreamKeyInfo } from '../../protocol/streamKeys';
import { StreamNotMemberError } from '../liveErrors';
import { InvalidStreamKeyError, StreamKeyNotFoundError, TooManyStreamKeysError } from './whipErrors';

/** `live_<keyid>_<secret>`: the id finds the record, the 256-bit secret proves it. */
const KEY_FORMAT = /^live_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

const hashOf = (secret: string): string => createHash('sha256').update(secret).digest('hex');

/**
 * Stream keys for encoders (WHIP, S27): made in the profile, shown once, kept as the sha256 of a
 * 256-bit random secret (a high-entropy secret needs no slow hash), revoked by deleting them.
 */
export class StreamKeyService {
  constructor(
    private readonly store: StreamKeyStore,
    private readonly sessions: Pick<SessionStore, 'get'>,
  ) {}

  async create(uid: string, body: CreateStreamKeyBody): Promise<CreateStreamKeyResult> {
    if (body.sessionid) await this.requireMember(body.sessionid, uid);
    if ((await this.store.countOf(uid)) >= StreamKeyLimits.perUser) throw new TooManyStreamKeysError(StreamKeyLimits.perUser);
    const keyid = randomBytes(8).toString('hex');
    const secret = randomBytes(32).toString('base64url');
    await this.store.create({
      _id: keyid,
      uid,
      title: body.title,
      ...(body.sessionid ? { sessionid: body.sessionid } : {}),
      secretHash: hashOf(secret),
      createdAt: Date.now(),
    });
    return { keyid, key: `live_${keyid}_${secret}` };
  }

  async list(uid: string): Promise<StreamKeyInfo[]> {
    return (await this.store.listOf(uid)).map(keyView);
  }

  async revoke(uid: string, keyid: string): Promise<void> {
    if (!(await this.store.remove(uid, keyid))) throw new StreamKeyNotFoundError();
  }

  /** The key's record, when the presented key is one that exists (else invalid_stream_key). */
  async verify(presented: string | null): Promise<StreamKeyDoc> {
    const match = KEY_FORMAT.exec(presented ?? '');
    if (!match) throw new InvalidStreamKeyError();
    const doc = await this.store.get(match[1]!);
    if (!doc || !timingSafeEqual(Buffer.from(doc.secretHash, 'hex'), Buffer.from(hashOf(match[2]!), 'hex'))) throw new InvalidStreamKeyError();
    return doc;
  }

  /** The key's conversation must still have its owner as a member (checked when made and at each publish). */
  async requireMember(sessionid: string, uid: string): Promise<void> {
    const session = await this.sessions.get(sessionid).catch(() => null);
    if (!session || !session.uids.includes(uid)) throw new StreamNotMemberError();
  }
}

function keyView(doc: StreamKeyDoc): StreamKeyInfo {
  return { keyid: doc._id, title: doc.title, ...(doc.sessionid ? { sessionid: doc.sessionid } : {}), createdAt: doc.createdAt };
}
