import { Router } from 'express';
import type { AppContext } from '../../node/AppContext';
import { CreateStreamKeyBody } from '../../protocol/streamKeys';
import { ErrorCode } from '../../protocol/errors';
import { ApiError } from '../ApiError';
import { currentUserId, requireUser } from '../requireUser';
import { validate } from '../validate';

const KEY_ID = /^[0-9a-f]{16}$/;

/**
 * Stream keys for encoders (S27): `POST /api/live/keys` `{ title, sessionid? }` -> 201
 * `{ keyid, key }` (the key shown this once), `GET /api/live/keys` -> `{ keys }`,
 * `DELETE /api/live/keys/:keyid` -> 204 (revoked: a stream it runs goes on until it ends).
 */
export function streamKeyRoutes(ctx: Pick<AppContext, 'live' | 'users' | 'tokens'>): Router {
  const router = Router();
  const auth = requireUser(ctx);
  const keys = () => {
    if (!ctx.live) throw new ApiError(503, ErrorCode.MediaUnavailable, 'live streams are not available on this server', true);
    return ctx.live.ingest.keys;
  };

  router.post('/live/keys', auth, async (req, res) => {
    const body = validate(CreateStreamKeyBody, req.body);
    // The key itself is a secret: never kept by caches.
    res.setHeader('Cache-Control', 'no-store');
    res.status(201).json(await keys().create(currentUserId(res), body));
  });

  router.get('/live/keys', auth, async (_req, res) => {
    res.json({ keys: await keys().list(currentUserId(res)) });
  });

  router.delete('/live/keys/:keyid', auth, async (req, res) => {
    const keyid = String(req.params.keyid);
    if (!KEY_ID.test(keyid)) throw new ApiError(404, ErrorCode.NotFound, 'no such stream key');
    await keys().revoke(currentUserId(res), keyid);
    res.status(204).end();
  });
  return router;
}
