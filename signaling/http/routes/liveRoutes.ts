import path from 'node:path';
import { POSTER } from '../../../media';
import { Router, type Response } from 'express';
import { LL_FOLDER } from '../../live/LiveHls';
import { StreamNotFoundError } from '../../live/liveErrors';
import { llHlsFile, waitForLlHls } from '../../live/llHlsRequests';
import { liveStreamView } from '../../live/liveViews';
import type { AppContext } from '../../node/AppContext';
import { ErrorCode } from '../../protocol/errors';
import { ApiError } from '../ApiError';
import { errorAnswer } from '../../errors/errorAnswer';
import { currentUser, requireUser } from '../requireUser';
import { streamKeyRoutes } from './streamKeyRoutes';
import { whipRoutes } from './whipRoutes';

const STREAM_ID = /^[0-9a-f-]{36}$/;
const RENDITION = /^\d{2,4}p$/;
const HLS_TYPES: Record<string, string> = { '.m3u8': 'application/vnd.apple.mpegurl', '.ts': 'video/mp2t', '.jpg': 'image/jpeg', '.m4s': 'video/iso.segment', '.mp4': 'video/mp4' };

/**
 * Live streams (S19): GET /api/live (streams going on the user may watch), GET /api/live/:streamid
 * (one, live or its replay), and the HLS files under the stream's signed folder
 * `/api/live/:streamid/hls/:token/(master.m3u8 | poster.jpg | <rendition>/index.m3u8 | <rendition>/segNNNNN.ts)`,
 * and the low-latency ones `ll.m3u8 | ll/index.m3u8[?_HLS_msn=&_HLS_part=] | ll/<init, part, segment>`
 * (a blocking reload waits for the part asked for; see llHlsRequests.ts),
 * with no Authorization header (players fetch them) and open CORS (players elsewhere): the token
 * is the proof, handed only to users allowed to watch, and short-lived (LIVE_HLS_URL_TTL): players
 * renew it through GET /api/live/:streamid, so a viewer who may no longer watch loses access soon.
 */
export function liveRoutes(ctx: Pick<AppContext, 'live' | 'users' | 'tokens'>): Router {
  const router = Router();
  // Before /live/:streamid, which would take `keys` and `whip` for stream ids.
  router.use(streamKeyRoutes(ctx));
  router.use(whipRoutes(ctx));
  const auth = requireUser(ctx);
  const me = (res: Response) => currentUser(res)._id.toHexString();
  const service = () => {
    if (!ctx.live) throw new ApiError(503, ErrorCode.MediaUnavailable, 'live streams are not available on this server', true);
    return ctx.live.queries;
  };

  router.get('/live', auth, async (_req, res) => {
    res.json({ streams: await service().listFor(me(res)) });
  });

  router.get('/live/:streamid', auth, async (req, res) => {
    const streamid = String(req.params.streamid);
    if (!STREAM_ID.test(streamid)) throw new StreamNotFoundError();
    // Also how a player renews its short-lived HLS link: membership is checked again here.
    const live = service();
    const doc = await live.watchable(streamid, me(res));
    res.json({ stream: liveStreamView(doc, live.hlsUrls) });
  });

  const sendHls = async (res: Response, streamid: string, token: string, parts: string[], query: Record<string, unknown> = {}) => {
    if (!STREAM_ID.test(streamid)) throw new StreamNotFoundError();
    const live = service();
    const { check, expiresIn } = live.hlsUrls.verify(streamid, token);
    if (check === 'expired') throw new ApiError(403, ErrorCode.UrlExpired, 'the stream link expired; open the stream again');
    if (check !== 'ok') throw new ApiError(403, ErrorCode.InvalidSignature, 'the stream link is not valid');
    const file = parts[parts.length - 1]!;
    const ext = path.extname(file);
    const type = HLS_TYPES[ext];
    const ll = parts.length === 2 && parts[0] === LL_FOLDER;
    const valid = parts.length === 1
      ? file === 'master.m3u8' || file === POSTER || file === 'll.m3u8'
      : ll ? llHlsFile(file) : RENDITION.test(parts[0]!) && (file === 'index.m3u8' || /^seg\d{1,8}\.ts$/.test(file));
    if (!type || !valid) throw new ApiError(404, ErrorCode.NotFound, 'no such stream file');
    if (ll) await waitForLlHls(path.join(live.dir(streamid), ...parts), query, res);
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.sendFile(parts.join('/'), {
      root: live.dir(streamid),
      dotfiles: 'deny',
      // Playlists change with every segment; a segment never changes once written, but caches
      // keep it only as long as its link is valid (an expired link must not be served from a cache).
      cacheControl: false,
      // The poster is rewritten every few seconds: revalidated, never kept past its link.
      headers: { 'Content-Type': type, 'Cache-Control': ext === '.m3u8' ? 'no-cache, no-store' : ext === '.jpg' ? 'no-cache' : `public, max-age=${expiresIn}, immutable` },
    }, (err) => {
      if (err && !res.headersSent) res.status(404).json(errorAnswer(new ApiError(404, ErrorCode.NotFound, 'no such stream file (not written yet, or removed)')).body);
    });
  };
  router.get('/live/:streamid/hls/:token/:file', (req, res) => sendHls(res, String(req.params.streamid), String(req.params.token), [String(req.params.file)]));
  router.get('/live/:streamid/hls/:token/:rendition/:file', (req, res) =>
    sendHls(res, String(req.params.streamid), String(req.params.token), [String(req.params.rendition), String(req.params.file)], req.query),
  );
  return router;
}
