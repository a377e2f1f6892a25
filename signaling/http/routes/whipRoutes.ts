import express, { Router, type Response } from 'express';
import { InvalidStreamKeyError, WhipResourceNotFoundError } from '../../live/whip/whipErrors';
import { MAX_OFFER_BYTES } from '../../live/whip/whipOffer';
import type { AppContext } from '../../node/AppContext';
import { ErrorCode } from '../../protocol/errors';
import { ApiError } from '../ApiError';
import { bearerToken } from '../requireUser';

const RESOURCE_ID = /^[0-9a-f]{32}$/;
const SDP_TYPE = 'application/sdp';

/**
 * WHIP ingest (RFC 9725, S27): `POST /api/live/whip` with `Authorization: Bearer <stream key>` and
 * an SDP offer -> 201 with the SDP answer and `Location: /api/live/whip/<resource>`; `DELETE` on
 * the Location ends the stream. No trickle ICE or ICE restart (the answer carries every candidate
 * of the node's WebRtcServer): `PATCH` is answered 405. Open CORS for browser-based encoders.
 */
export function whipRoutes(ctx: Pick<AppContext, 'live'>): Router {
  const router = Router();
  const whip = () => {
    if (!ctx.live) throw new ApiError(503, ErrorCode.MediaUnavailable, 'live streams are not available on this server', true);
    return ctx.live.ingest.whip;
  };
  const cors = (res: Response) => {
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('Access-Control-Allow-Methods', 'POST, DELETE, OPTIONS');
    res.setHeader('Access-Control-Allow-Headers', 'Authorization, Content-Type');
    res.setHeader('Access-Control-Expose-Headers', 'Location, Accept-Post');
  };
  const sdpBody = express.text({ type: SDP_TYPE, limit: MAX_OFFER_BYTES });

  router.options('/live/whip', (_req, res) => {
    cors(res);
    res.setHeader('Accept-Post', SDP_TYPE);
    res.setHeader('Allow', 'POST, OPTIONS');
    res.status(204).end();
  });

  router.post('/live/whip', sdpBody, async (req, res) => {
    cors(res);
    if (!req.is(SDP_TYPE)) {
      res.setHeader('Accept-Post', SDP_TYPE);
      throw new ApiError(415, ErrorCode.InvalidInput, `send the SDP offer as ${SDP_TYPE}`);
    }
    const offer = typeof req.body === 'string' ? req.body : '';
    try {
      const session = await whip().publish(bearerToken(req.get('authorization')), offer);
      res.setHeader('Location', `/api/live/whip/${session.resourceId}`);
      res.setHeader('Cache-Control', 'no-store');
      res.status(201).type(SDP_TYPE).send(session.answer);
    } catch (err) {
      if (err instanceof InvalidStreamKeyError) res.setHeader('WWW-Authenticate', 'Bearer error="invalid_token"');
      throw err;
    }
  });

  router.options('/live/whip/:resource', (_req, res) => {
    cors(res);
    res.setHeader('Allow', 'DELETE, OPTIONS');
    res.status(204).end();
  });

  router.delete('/live/whip/:resource', async (req, res) => {
    cors(res);
    const resource = String(req.params.resource);
    if (!RESOURCE_ID.test(resource)) throw new WhipResourceNotFoundError();
    await whip().end(resource);
    res.status(200).end();
  });

  // Trickle ICE and ICE restarts (PATCH) are not offered: the answer holds every candidate.
  router.patch('/live/whip/:resource', (_req, res) => {
    cors(res);
    res.setHeader('Allow', 'DELETE, OPTIONS');
    throw new ApiError(405, ErrorCode.InvalidInput, 'trickle ICE is not supported here: the answer carries every candidate');
  });
  return router;
}
