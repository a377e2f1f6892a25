import { POSTER } from '../../media';
import type { LiveStreamDoc } from '../../storage/documents';
import type { LiveEndReason, LiveStreamInfo } from '../protocol/live';
import type { LiveHlsSigner } from './LiveHlsSigner';

/** A stream as clients see it; the playlist URL signed (short-lived) for whoever is allowed to receive this. */
export function liveStreamView(doc: LiveStreamDoc, signer: LiveHlsSigner): LiveStreamInfo {
  const folder = signer.folder(doc._id);
  return {
    streamid: doc._id,
    ...(doc.sessionid ? { sessionid: doc.sessionid } : {}),
    visibility: doc.visibility,
    title: doc.title,
    publisher: doc.publisher,
    hlsUrl: `${folder.path}/master.m3u8`,
    ...(signer.llHls ? { llHlsUrl: `${folder.path}/ll.m3u8` } : {}),
    hlsExpiresIn: folder.expiresIn,
    startedAt: doc.startedAt,
    state: doc.state,
    ...(doc.liveAt ? { liveAt: doc.liveAt } : {}),
    ...(doc.endedAt ? { endedAt: doc.endedAt } : {}),
    ...(doc.endReason ? { endReason: doc.endReason as LiveEndReason } : {}),
    ...(doc.replayUntil ? { replayUntil: doc.replayUntil } : {}),
    renditions: doc.renditions,
    viewers: doc.viewers,
    webrtc: doc.state !== 'ended' && doc.webrtc === true,
    ...(doc.poster ? { posterUrl: `${folder.path}/${POSTER}` } : {}),
  };
}
