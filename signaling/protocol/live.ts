/**
 * Live streams (S12, S19): a publisher sends camera + microphone (or a screen) over WebRTC to
 * mediasoup; the server repackages it to HLS, which viewers play with hls.js (or natively on
 * iPhone Safari). These are the typed Socket.IO events and shapes shared by the server and the web
 * client; the REST side is `GET /api/live` (PROTOCOL.md) and `GET /api/live/:streamid`.
 */
import { z } from 'zod';
import type { Ack } from './ack';
import { DtlsParametersSchema, RtpCapabilitiesSchema, RtpParametersSchema, type JsonObject, type TransportInfo } from './calls';

export const LiveState = {
  /** Created; the publisher is sending its tracks and the first segment is not out yet. */
  Starting: 'starting',
  /** Segments are being written: viewers can play it. */
  Live: 'live',
  /** Stopped; the recording stays as a replay until `replayUntil`. */
  Ended: 'ended',
} as const;
export type LiveState = (typeof LiveState)[keyof typeof LiveState];

/** Who may watch: anyone (listed to everyone), or the members of the stream's conversation. */
export const LiveVisibility = { Public: 'public', Members: 'members' } as const;
export type LiveVisibility = (typeof LiveVisibility)[keyof typeof LiveVisibility];

/** Why a stream ended. */
export const LiveEndReason = {
  Stopped: 'stopped',
  /** The publisher's connection went away and did not come back within LIVE_RESUME_GRACE. */
  PublisherLeft: 'publisher_left',
  /** The media server could not keep the stream (its worker died and could not be replaced). */
  MediaLost: 'media_lost',
  /** The node shut down. */
  Shutdown: 'shutdown',
} as const;
export type LiveEndReason = (typeof LiveEndReason)[keyof typeof LiveEndReason];

export interface LiveRendition {
  name: string;
  height: number;
  /** Video bits per second the rendition is encoded at (as in the master playlist). */
  bandwidth: number;
}

export interface LiveStreamInfo {
  streamid: string;
  /** The conversation the stream belongs to: its chat beside the video, and (members) who may watch. */
  sessionid?: string;
  visibility: LiveVisibility;
  title: string;
  publisher: { uid: string; nickname: string };
  /**
   * The master playlist (`.m3u8`), playable by hls.js and iPhone Safari. It carries its own
   * expiring proof in the path (`/api/live/<id>/hls/<exp>.<sig>/master.m3u8`), so the relative
   * segment URLs inside it work without an Authorization header.
   */
  hlsUrl: string;
  /**
   * The low-latency multivariant playlist (LL-HLS: parts, blocking reload) of the top rendition,
   * in the same signed folder as `hlsUrl`, when the server makes one (LIVE_LLHLS). Players
   * without low-latency support keep `hlsUrl`.
   */
  llHlsUrl?: string;
  /**
   * Seconds the `hlsUrl` proof stays valid from this answer (LIVE_HLS_URL_TTL, a few minutes): a
   * player renews it (GET /api/live/:streamid) before then and swaps the folder in its requests.
   */
  hlsExpiresIn: number;
  startedAt: number;
  state: LiveState;
  /** Set once live: when the first segment was written. */
  liveAt?: number;
  endedAt?: number;
  endReason?: LiveEndReason;
  /** Ended streams: the replay is removed after this time (ms since epoch). */
  replayUntil?: number;
  renditions: LiveRendition[];
  /** Viewers watching now (sockets in the stream's viewer room, the publisher not counted). */
  viewers: number;
  /**
   * A JPEG of the top rendition, rewritten every few seconds (S27), in the same signed folder as
   * `hlsUrl` (404 until the first one is written; the last one stays with the replay).
   */
  posterUrl?: string;
  /**
   * Real-time viewing over WebRTC has room (S27): `live:watchRtc` may be tried first, falling back
   * to `hlsUrl` when it is refused (`webrtc_full`, `webrtc_unavailable`) or does not connect.
   */
  webrtc?: boolean;
}

export interface LiveCreateResult {
  stream: LiveStreamInfo;
  routerRtpCapabilities: JsonObject;
  /** The publisher's send transport (mediasoup-client `createSendTransport`). */
  transport: TransportInfo;
}

// ---- inbound payload schemas ----

const objectId = z.string().regex(/^[0-9a-f]{24}$/, 'must be a 24-hex id');
const id = z.string().min(1).max(128);

export const LiveLimits = { titleMax: 100 } as const;

export const LiveCreatePayload = z.object({
  title: z.string().trim().min(1).max(LiveLimits.titleMax),
  /** The conversation to stream in; without it the stream is public and gets a chat group of its own. */
  sessionid: objectId.optional(),
  /** Default: `members` when a sessionid is given, else `public`. */
  visibility: z.enum(['public', 'members']).optional(),
});
export const LiveRefPayload = z.object({ streamid: id });
export const LiveTransportConnectPayload = z.object({ streamid: id, transportId: id, dtlsParameters: DtlsParametersSchema });
export const LiveProducePayload = z.object({
  streamid: id,
  transportId: id,
  kind: z.enum(['audio', 'video']),
  rtpParameters: RtpParametersSchema,
  source: z.enum(['mic', 'camera', 'screen']),
});

// real-time viewing (S27)
export const LiveRtcConnectPayload = z.object({ streamid: id, transportId: id, dtlsParameters: DtlsParametersSchema });
export const LiveRtcConsumePayload = z.object({ streamid: id, rtpCapabilities: RtpCapabilitiesSchema });

export type LiveCreatePayload = z.infer<typeof LiveCreatePayload>;
export type LiveRtcConnectPayload = z.infer<typeof LiveRtcConnectPayload>;
export type LiveRtcConsumePayload = z.infer<typeof LiveRtcConsumePayload>;
export type LiveRefPayload = z.infer<typeof LiveRefPayload>;
export type LiveTransportConnectPayload = z.infer<typeof LiveTransportConnectPayload>;
export type LiveProducePayload = z.infer<typeof LiveProducePayload>;

type Ok = { ok: true };

/** `live:watchRtc`: the stream's router and a receive transport for this viewer (mediasoup-client `createRecvTransport`). */
export interface LiveRtcWatchResult {
  routerRtpCapabilities: JsonObject;
  transport: TransportInfo;
}

/** One of the stream's tracks for a real-time viewer (paused until `live:watchRtcResume`). */
export interface LiveRtcConsumer {
  consumerId: string;
  producerId: string;
  kind: 'audio' | 'video';
  rtpParameters: JsonObject;
}

export interface LiveClientEvents {
  /** Publisher, step 1: creates the stream (not listed yet), its router and a send transport. */
  'live:create': (payload: LiveCreatePayload, ack: Ack<LiveCreateResult>) => void;
  'live:transport:connect': (payload: LiveTransportConnectPayload, ack: Ack<Ok>) => void;
  /** Step 2: one video track (camera or screen) and at most one audio track (mic). */
  'live:produce': (payload: LiveProducePayload, ack: Ack<{ producerId: string }>) => void;
  /** Step 3: goes live: the repackaging starts, the stream is listed and announced in its conversation. */
  'live:start': (payload: LiveRefPayload, ack: Ack<{ stream: LiveStreamInfo }>) => void;
  'live:stop': (payload: LiveRefPayload, ack: Ack<{ stream: LiveStreamInfo }>) => void;
  /**
   * The publisher's connection dropped and came back (within LIVE_RESUME_GRACE, on any node): a
   * new send transport for the same stream; produce the tracks again, then `live:start`.
   */
  'live:resume': (payload: LiveRefPayload, ack: Ack<LiveCreateResult>) => void;
  /** Viewer: joins the stream's viewer room (counted, and told of state changes). */
  'live:watch': (payload: LiveRefPayload, ack: Ack<{ stream: LiveStreamInfo }>) => void;
  'live:unwatch': (payload: LiveRefPayload, ack: Ack<Ok>) => void;
  // ---- real-time viewing over WebRTC (S27) ----
  /**
   * Viewer, step 1: a receive transport on the stream's media server, while `webrtc` is true.
   * Refused `webrtc_full` at LIVE_WEBRTC_VIEWERS, `webrtc_unavailable` where it is not offered
   * (off, or the stream runs on another process): the viewer plays `hlsUrl` instead.
   */
  'live:watchRtc': (payload: LiveRefPayload, ack: Ack<LiveRtcWatchResult>) => void;
  'live:watchRtcConnect': (payload: LiveRtcConnectPayload, ack: Ack<Ok>) => void;
  /** Step 2: consumers of the stream's tracks (paused), for the device's capabilities. */
  'live:watchRtcConsume': (payload: LiveRtcConsumePayload, ack: Ack<{ consumers: LiveRtcConsumer[] }>) => void;
  /** Step 3: the viewer is ready: the tracks flow (starting with a key frame). */
  'live:watchRtcResume': (payload: LiveRefPayload, ack: Ack<Ok>) => void;
  /** Leaves real-time viewing (also done on disconnect): the place goes to the next viewer. */
  'live:unwatchRtc': (payload: LiveRefPayload, ack: Ack<Ok>) => void;
}

export interface LiveServerEvents {
  /** To the viewers and the publisher: state changed (live, ended) or the renditions are known. */
  'live:update': (event: { stream: LiveStreamInfo }) => void;
  /** To the viewers and the publisher: how many watch now. */
  'live:viewers': (event: { streamid: string; viewers: number }) => void;
  /**
   * To the publisher: how well its uplink arrives (mediasoup's producer score, 0-10 per track;
   * below 7 the client shows a warning).
   */
  'live:quality': (event: { streamid: string; kind: 'audio' | 'video'; score: number }) => void;
  /**
   * To the publisher: the stream's media server went away and another took over. Close the old
   * send transport, load a Device with these capabilities, create a send transport from
   * `transport`, produce the tracks again and send `live:start`; viewers keep the same playlists.
   */
  'live:reconnectMedia': (event: { streamid: string } & Omit<LiveCreateResult, 'stream'>) => void;
}
