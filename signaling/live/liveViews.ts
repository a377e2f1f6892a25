import type { LiveStreamDoc } from '../../storage/documents';
import type { UrlSigner } from '../files/UrlSigner';
import type { LiveEndReason, LiveStreamInfo } from '../protocol/live';

/** The URL path of a stream's HLS folder, behind its signed token. */
export function hlsFolder(streamid: string, signer: UrlSigner): string {
  return `/api/live/${encodeURIComponent(streamid)}/hls/${signer.folderToken(`live:${streamid}`)}`;
}

/** A stream as clients see it; the playlist URL signed for whoever is allowed to receive this. */
export function liveStreamView(doc: LiveStreamDoc, signer: UrlSigner): LiveStreamInfo {
  return {
    streamid: doc._id,
    ...(doc.sessionid ? { sessionid: doc.sessionid } : {}),
    visibility: doc.visibility,
    title: doc.title,
    publisher: doc.publisher,
    hlsUrl: `${hlsFolder(doc._id, signer)}/master.m3u8`,
    startedAt: doc.startedAt,
    state: doc.state,
    ...(doc.liveAt ? { liveAt: doc.liveAt } : {}),
    ...(doc.endedAt ? { endedAt: doc.endedAt } : {}),
    ...(doc.endReason ? { endReason: doc.endReason as LiveEndReason } : {}),
    ...(doc.replayUntil ? { replayUntil: doc.replayUntil } : {}),
    renditions: doc.renditions,
    viewers: doc.viewers,
  };
}
