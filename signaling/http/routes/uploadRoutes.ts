import { Router, type Request, type Response } from 'express';
import type { AppContext } from '../../node/AppContext';
import { MsgType } from '../../protocol/models';
import { Md5Param } from '../../protocol/schemas';
import { sanitizeFileName } from '../../files/fileNames';
import { receiveUpload, type ReceivedUpload } from '../../files/UploadReceiver';
import { ConcurrencyLimiter } from '../../util/ConcurrencyLimiter';
import { RateLimiter } from '../../util/RateLimiter';
import { userView } from '../../views';
import { InvalidRequestError, LimitError, TooLargeError } from '../../errors/DomainError';
import { currentUserId, requireUser } from '../requireUser';
import { validate } from '../validate';

/** The message types a file can be sent as. */
const FILE_MSGTYPES: readonly MsgType[] = [MsgType.Image, MsgType.Voice, MsgType.Video, MsgType.File];

function parseIntent(raw: unknown): MsgType | undefined {
  if (raw === undefined || raw === '') return undefined;
  const intent = FILE_MSGTYPES.find((type) => type === Number(raw));
  if (intent === undefined) throw new InvalidRequestError('msgtype: 1 (image), 2 (voice), 3 (video) or 4 (file)');
  return intent;
}

export type UploadRouteDeps = Pick<AppContext, 'config' | 'users' | 'tokens' | 'files' | 'uploads' | 'fileUrls'>;

/**
 * Uploads (S9, S20): POST /api/files (multipart upload, md5-checked, stored once per content),
 * GET|HEAD /api/files/by-md5/:md5 (is it stored already?), POST /api/me/avatar (upload and set the
 * avatar in one call) and GET /api/me/storage (quota use).
 */
export function uploadRoutes(deps: UploadRouteDeps): Router {
  const { config, users, files, uploads: service, fileUrls } = deps;
  const router = Router();
  const auth = requireUser(deps);
  const uploadRate = new RateLimiter(config.uploadRatePerMinute / 60, config.uploadRatePerMinute);
  const uploadSlots = new ConcurrencyLimiter(config.uploadConcurrency);

  /** Receives one upload for a user within their limits, runs `use` on it, and always removes the temporary file. */
  async function withUpload<T>(req: Request, res: Response, use: (upload: ReceivedUpload, uid: string) => Promise<T>): Promise<T> {
    const uid = currentUserId(res);
    const release = uploadSlots.acquire(uid);
    if (!release) throw new LimitError(`at most ${config.uploadConcurrency} uploads at a time`);
    try {
      if (!uploadRate.take(uid)) throw new LimitError('too many uploads; wait a minute');
      const tempFile = files.tempPath();
      let upload: ReceivedUpload;
      try {
        upload = await receiveUpload(req, { tempFile, maxBytes: config.uploadMaxBytes });
      } catch (err) {
        if (err instanceof TooLargeError) discardAfterAnswer(req, res);
        throw err;
      }
      try {
        return await use(upload, uid);
      } finally {
        await files.remove(tempFile).catch(() => undefined);
      }
    } finally {
      release();
    }
  }

  router.post('/files', auth, async (req, res) => {
    const file = await withUpload(req, res, async (upload, uid) => {
      const intent = parseIntent(upload.fields.msgtype ?? req.query.msgtype);
      const stored = await service.ingest(upload, uid, { queryMd5: req.query.md5, intent, quotaBytes: config.userStorageQuota });
      return service.answer(stored, true, sanitizeFileName(upload.clientName, stored.filename));
    });
    res.status(201).json({ file });
  });

  router.post('/me/avatar', auth, async (req, res) => {
    const user = await withUpload(req, res, async (upload, uid) => {
      const stored = await service.ingest(upload, uid, { queryMd5: req.query.md5, intent: MsgType.Image, quotaBytes: config.userStorageQuota });
      const avatar = await service.makeAvatar(stored._id.toHexString(), uid);
      return users.update(uid, { avatar });
    });
    res.json({ user: userView(user, true, fileUrls) });
  });

  // HEAD answers the same status without a body: 200 when the caller may already read bytes with
  // this md5; otherwise the very 404 of bytes nobody stored (someone else's file stays invisible).
  router.get('/files/by-md5/:md5', auth, async (req, res) => {
    const md5 = validate(Md5Param, req.params.md5);
    const file = await service.readableByMd5(md5, currentUserId(res));
    res.json({ file: service.answer(file, true) });
  });

  // What the user has stored against USER_STORAGE_QUOTA (quota null: unlimited).
  router.get('/me/storage', auth, async (_req, res) => {
    res.json({ storage: await service.storage(currentUserId(res), config.userStorageQuota) });
  });

  return router;
}

/** How much of a refused upload is still read (and dropped) so the client sees the answer, not a reset. */
const DISCARD_MAX_BYTES = 32 * 1024 * 1024;
const DISCARD_MAX_MS = 10_000;

/**
 * After a 413 nothing more is parsed or stored; the rest of the body is read and dropped for a
 * bounded amount and time (a client still sending into a closed socket gets a reset instead of the
 * answer), then the connection is cut.
 */
function discardAfterAnswer(req: Request, res: Response): void {
  res.once('finish', () => {
    if (req.complete) return;
    let dropped = 0;
    const cut = () => req.socket.destroy();
    const timer = setTimeout(cut, DISCARD_MAX_MS);
    req.on('data', (chunk: Buffer) => {
      dropped += chunk.length;
      if (dropped > DISCARD_MAX_BYTES) cut();
    });
    req.once('end', () => clearTimeout(timer));
    req.once('close', () => clearTimeout(timer));
    req.resume();
  });
}
