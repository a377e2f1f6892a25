import os from 'node:os';
import path from 'node:path';
import { parseAddressList, parseTrustProxy, type TrustProxySetting } from './net/proxyTrust';

/** Every setting, from the environment (README lists them with their defaults). */
export interface Config {
  port: number;
  host: string;
  dataDir: string;
  mongoUrl?: string;
  /** REDIS_URL: a Redis for fan-out between nodes; unset: the embedded one under DATA_DIR/redis; `off`: none. */
  redisUrl?: string;
  /** The embedded Redis exits this long after its last client left (ms; 0: never). */
  redisIdleMs: number;
  /** Database name inside MongoDB. */
  mongoDb: string;
  jwtSecret?: string;
  workers: number;
  logLevel: string;
  /** Lifetime of a user token (seconds). */
  userTokenTtl: number;
  /** Lifetime of a session token (seconds). */
  sessionTokenTtl: number;
  /** An online record expires this long after its last keepalive (seconds). */
  onlineTtl: number;
  /** Messages one user may send per second, sustained (bursts of twice that). */
  messageRate: number;
  /** Registrations per minute from one address (sign-ins per address: five times that). */
  authRatePerMinute: number;
  /** How long a message waits for others to share its insertMany (ms). */
  batchWindowMs: number;
  /** How far to search upwards when the port is taken (S2). */
  portSearch: number;
  /** Largest accepted upload (bytes). */
  uploadMaxBytes: number;
  /** Uploads one user may run at the same time (per process). */
  uploadConcurrency: number;
  /** Uploads one user may start per minute (per process). */
  uploadRatePerMinute: number;
  /** Largest image (width x height) sharp decodes: decompression bombs are refused. */
  imageMaxPixels: number;
  /** Lifetime of signed file URLs (seconds). */
  fileUrlTtl: number;
  /** mediasoup workers of this process (calls, S18); default: cores / WORKERS, at least 1. */
  mediaWorkers: number;
  /** First WebRtcServer port; each mediasoup worker of the node takes its own port from here. */
  rtcPort: number;
  /** Address the WebRtcServers bind. */
  rtcListenIp: string;
  /** Address announced to clients in ICE candidates (the host's public address in production). */
  announcedIp: string;
  /** Address the PipeTransports that carry a call's media between nodes bind (PIPE_LISTEN_IP, default RTC_LISTEN_IP). */
  pipeListenIp: string;
  /** Address the other nodes send a call's piped media to (PIPE_ANNOUNCED_IP, default ANNOUNCED_IP). */
  pipeAnnouncedIp: string;
  /** A call nobody answers ends as unanswered after this many seconds. */
  callRingTimeout: number;
  /** On-screen subscriptions of large calls (S28): CALL_ON_SCREEN, CALL_AUDIO_ALL_UP_TO, CALL_AUDIO_LOUDEST. */
  callScreen: { onScreen: number; audioAllUpTo: number; audioLoudest: number };
  /** The ffmpeg binary that repackages live streams to HLS. */
  ffmpegPath: string;
  /** HLS segment length of live streams (seconds). */
  liveSegmentSeconds: number;
  /** Renditions of every live stream: height at most, and video bitrate (bps), best first. */
  liveRenditions: { name: string; height: number; videoBitrate: number }[];
  /** An ended stream stays as a replay this long (seconds). */
  liveReplayTtl: number;
  /** How long a stream waits for its publisher's dropped connection to come back (seconds). */
  liveResumeGrace: number;
  /** Live streams one process transcodes at once (each costs an ffmpeg encode per rendition). */
  liveMaxStreams: number;
  // files: per-user storage quota
  /** Bytes one user may have stored (distinct contents they uploaded); 0: unlimited. */
  userStorageQuota: number;
  // accounts and per-user chat limits (issue 10); in memory, per worker process
  /** Failed sign-ins for one login from one address before that pair must wait (1 s, doubling after each failure). */
  signinFreeFailures: number;
  /** Failed sign-ins for one login (all addresses) per 15 minutes beyond which every attempt on it is slowed. */
  signinSlowdownAfter: number;
  /** How long (ms) each attempt on a login under attack waits. */
  signinSlowdownMs: number;
  /** Groups one user may create per hour. */
  groupsPerHour: number;
  /** presence:set one user may send per second (bursts of five times that). */
  presenceRate: number;
  /** sync requests one user may send per second (bursts of five times that). */
  syncRate: number;
  /** typing events one user may send per second (bursts of twice that). */
  typingRate: number;
  /** User searches (GET /api/users) one user may run per minute. */
  userSearchPerMinute: number;
  /** Message searches (GET /api/search) one user may run per minute (issue 13). */
  messageSearchPerMinute: number;
  /** New friend requests one user may send per hour (S26). */
  friendRequestsPerHour: number;
  // ---- per-user bounds on calls and live streams, short-lived HLS links (hardening) ----
  /** Live streams one user may run at once, across every node (one of them at most not started yet). */
  liveStreamsPerUser: number;
  /** Lifetime of a live stream's signed HLS folder (seconds); the viewer page renews it while it plays. */
  liveHlsUrlTtl: number;
  /** Real-time (WebRTC) viewers per stream at most; beyond them viewers get HLS (0: real-time viewing off). */
  liveWebrtcViewers: number;
  /** Low-latency HLS (parts, blocking reload) of the top rendition beside the classic playlists (LIVE_LLHLS, on by default; 0 turns it off). */
  liveLlHls: boolean;
  /** Calls one user may have started and still be ringing or in, at once, across every node. */
  callsPerUser: number;
  /** `call:start` requests one user may make per minute (per process). */
  callStartsPerMinute: number;
  // --- HTTP hardening: proxies, operations ---
  /** TRUST_PROXY: the proxies whose X-Forwarded-For/-Proto are believed (rate limits, HSTS); default: none. */
  trustProxy: TrustProxySetting;
  /** METRICS_TOKEN: a bearer token that reads /metrics from anywhere; unset: none. */
  metricsToken?: string;
  /** METRICS_ALLOW: client addresses that read /metrics without a token (names, addresses, CIDRs). */
  metricsAllow: string[];
  // connections: slow clients, frames, origins, sockets per user (issue 10)
  /** A connection must send its complete request head within this time (ms). */
  headersTimeoutMs: number;
  /** A connection whose request is not complete (or that has none) is closed after this long without a byte (ms). */
  idleTimeoutMs: number;
  /** Largest Socket.IO frame read (bytes); a bigger one closes the connection (engine.io). */
  socketMaxFrameBytes: number;
  /** Origins browsers may connect from (Socket.IO); empty: only the origin the request was sent to. */
  allowedOrigins: string[];
  /** Simultaneous Socket.IO connections of one user across the whole cluster. */
  maxSocketsPerUser: number;
  // conversation events (S24)
  /** Edits one user may make per minute. */
  editsPerMinute: number;
  /** Reactions, pins and deletes one user may make per minute. */
  changesPerMinute: number;
  /** Reactions one message may carry, all emoji together. */
  reactionsPerMessage: number;
  /** Different emoji one message may carry. */
  reactionEmojiPerMessage: number;
  // --- link previews (issue 12): the server fetches the first link of a text message ---
  /** LINK_PREVIEWS: `off` turns link previews off (nothing is fetched). */
  linkPreviews: boolean;
  /** LINK_PREVIEW_ALLOW_PRIVATE=1: private, loopback and link-local addresses may be fetched (tests only). */
  linkPreviewAllowPrivate: boolean;
  /** One page (or image) fetch must be over within this time, redirects included (ms). */
  linkPreviewTimeoutMs: number;
  /** Bytes of a page read at most (its head is enough; a longer page is read up to this). */
  linkPreviewHtmlMaxBytes: number;
  /** Largest page image fetched (bytes); a larger one is refused. */
  linkPreviewImageMaxBytes: number;
  /** Redirects followed at most (each checked again). */
  linkPreviewMaxRedirects: number;
  /** Fetches one process runs at once. */
  linkPreviewConcurrency: number;
  /** How long a found preview is reused (seconds). */
  linkPreviewTtl: number;
  /** How long a failed preview is remembered before the link is tried again (seconds). */
  linkPreviewFailureTtl: number;
  // --- Web Push (issue 13) ---
  /** VAPID_PUBLIC_KEY / VAPID_PRIVATE_KEY (base64url): unset: generated once and kept in DATA_DIR/vapid.json. */
  vapidPublicKey?: string;
  vapidPrivateKey?: string;
  /** VAPID_SUBJECT: a mailto: or https: URL push services may contact. */
  vapidSubject: string;
  /** PUSH_ALLOW_HTTP=1: subscriptions with http endpoints are taken (tests only). */
  pushAllowHttp: boolean;
  /** How long a push service keeps an undelivered push (seconds). */
  pushTtl: number;
  /** Pushes one process sends at once. */
  pushConcurrency: number;
}

/** `720:1500,360:500`: heights and video kbps. */
function renditions(raw: string | undefined): Config['liveRenditions'] {
  const text = raw?.trim() || '720:1500,360:500';
  const list = text.split(',').map((part) => {
    const m = /^\s*(\d{2,4})\s*:\s*(\d{2,6})\s*$/.exec(part);
    if (!m) throw new Error(`LIVE_RENDITIONS must look like 720:1500,360:500 (height:kbps), got "${text}"`);
    return { name: `${m[1]}p`, height: Number(m[1]), videoBitrate: Number(m[2]) * 1000 };
  });
  if (new Set(list.map((r) => r.name)).size !== list.length) throw new Error('LIVE_RENDITIONS names a height twice');
  return list;
}

function int(name: string, fallback: number, min = 0): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) throw new Error(`${name} must be an integer >= ${min}, got "${raw}"`);
  return value;
}

/** `--port N` / `-p N` on the command line wins over PORT. */
function portFromArgs(argv: string[]): number | undefined {
  const i = argv.findIndex((a) => a === '--port' || a === '-p' || a === '-h');
  if (i >= 0 && argv[i + 1]) return Number(argv[i + 1]);
  const eq = argv.find((a) => a.startsWith('--port='));
  return eq ? Number(eq.slice('--port='.length)) : undefined;
}

export function loadConfig(argv: string[] = process.argv.slice(2)): Config {
  const port = portFromArgs(argv) ?? int('PORT', 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid port ${port}`);
  return {
    port,
    host: process.env.HOST || '0.0.0.0',
    dataDir: path.resolve(process.env.DATA_DIR || './data'),
    mongoUrl: process.env.MONGO_URL || undefined,
    redisUrl: process.env.REDIS_URL || undefined,
    redisIdleMs: int('REDIS_IDLE_MS', 60_000, 0),
    mongoDb: process.env.MONGO_DB || 'cookim',
    jwtSecret: process.env.JWT_SECRET || undefined,
    workers: int('WORKERS', os.availableParallelism(), 1),
    logLevel: process.env.LOG_LEVEL || 'info',
    userTokenTtl: int('USER_TOKEN_TTL', 7 * 24 * 3600, 1),
    sessionTokenTtl: int('SESSION_TOKEN_TTL', 3600, 1),
    onlineTtl: int('ONLINE_TTL', 60, 2),
    messageRate: int('MESSAGE_RATE', 20, 1),
    batchWindowMs: int('BATCH_WINDOW_MS', 2, 0),
    authRatePerMinute: int('AUTH_RATE_PER_MINUTE', 30, 1),
    portSearch: int('PORT_SEARCH', 100, 1),
    uploadMaxBytes: int('UPLOAD_MAX_BYTES', 100 * 1024 * 1024, 1),
    uploadConcurrency: int('UPLOAD_CONCURRENCY', 3, 1),
    uploadRatePerMinute: int('UPLOAD_RATE_PER_MINUTE', 120, 1),
    imageMaxPixels: int('IMAGE_MAX_PIXELS', 50_000_000, 1),
    fileUrlTtl: int('FILE_URL_TTL', 24 * 3600, 60),
    ...mediaConfig(),
    ffmpegPath: process.env.FFMPEG_PATH || 'ffmpeg',
    liveSegmentSeconds: int('LIVE_SEGMENT_SECONDS', 1, 1),
    liveRenditions: renditions(process.env.LIVE_RENDITIONS),
    liveReplayTtl: int('LIVE_REPLAY_TTL', 24 * 3600, 0),
    liveMaxStreams: int('LIVE_MAX_STREAMS', 2, 1),
    liveResumeGrace: int('LIVE_RESUME_GRACE', 20, 0),
    // files: per-user storage quota
    userStorageQuota: int('USER_STORAGE_QUOTA', 1024 ** 3, 0),
    // accounts and per-user chat limits (issue 10)
    signinFreeFailures: int('SIGNIN_FREE_FAILURES', 5, 1),
    signinSlowdownAfter: int('SIGNIN_SLOWDOWN_AFTER', 50, 1),
    signinSlowdownMs: int('SIGNIN_SLOWDOWN_MS', 1000, 0),
    groupsPerHour: int('GROUPS_PER_HOUR', 20, 1),
    presenceRate: int('PRESENCE_RATE', 2, 1),
    syncRate: int('SYNC_RATE', 2, 1),
    typingRate: int('TYPING_RATE', 2, 1),
    userSearchPerMinute: int('USER_SEARCH_PER_MINUTE', 30, 1),
    messageSearchPerMinute: int('MESSAGE_SEARCH_PER_MINUTE', 60, 1),
    friendRequestsPerHour: int('FRIEND_REQUESTS_PER_HOUR', 30, 1),
    // ---- per-user bounds on calls and live streams, short-lived HLS links (hardening) ----
    liveStreamsPerUser: int('LIVE_STREAMS_PER_USER', 1, 1),
    liveHlsUrlTtl: int('LIVE_HLS_URL_TTL', 300, 10),
    liveWebrtcViewers: int('LIVE_WEBRTC_VIEWERS', 50, 0),
    liveLlHls: !['0', 'false', 'off'].includes((process.env.LIVE_LLHLS ?? '1').toLowerCase()),
    callsPerUser: int('CALLS_PER_USER', 2, 1),
    callStartsPerMinute: int('CALL_START_RATE_PER_MINUTE', 10, 1),
    // on-screen subscriptions of large calls (S28)
    callScreen: {
      onScreen: int('CALL_ON_SCREEN', 9, 1),
      audioAllUpTo: int('CALL_AUDIO_ALL_UP_TO', 20, 1),
      audioLoudest: int('CALL_AUDIO_LOUDEST', 6, 1),
    },
    // --- HTTP hardening: proxies, operations ---
    trustProxy: parseTrustProxy(process.env.TRUST_PROXY),
    metricsToken: process.env.METRICS_TOKEN || undefined,
    metricsAllow: metricsAllow(process.env.METRICS_ALLOW),
    // connections: slow clients, frames, origins, sockets per user (issue 10)
    headersTimeoutMs: int('HEADERS_TIMEOUT_MS', 10_000, 100),
    idleTimeoutMs: int('IDLE_TIMEOUT_MS', 30_000, 100),
    socketMaxFrameBytes: int('SOCKET_MAX_FRAME_BYTES', 1024 * 1024, 64 * 1024),
    allowedOrigins: (process.env.ALLOWED_ORIGINS ?? '')
      .split(',')
      .map((o) => o.trim().replace(/\/+$/, ''))
      .filter(Boolean),
    maxSocketsPerUser: int('MAX_SOCKETS_PER_USER', 20, 1),
    // conversation events (S24)
    editsPerMinute: int('EDIT_RATE_PER_MINUTE', 20, 1),
    changesPerMinute: int('CHANGE_RATE_PER_MINUTE', 120, 1),
    reactionsPerMessage: int('REACTIONS_PER_MESSAGE', 200, 1),
    reactionEmojiPerMessage: int('REACTION_EMOJI_PER_MESSAGE', 20, 1),
    // --- link previews (issue 12) ---
    linkPreviews: !/^(off|0|false|no)$/i.test(process.env.LINK_PREVIEWS?.trim() ?? ''),
    linkPreviewAllowPrivate: /^(1|true|yes|on)$/i.test(process.env.LINK_PREVIEW_ALLOW_PRIVATE?.trim() ?? ''),
    linkPreviewTimeoutMs: int('LINK_PREVIEW_TIMEOUT_MS', 5000, 100),
    linkPreviewHtmlMaxBytes: int('LINK_PREVIEW_HTML_MAX_BYTES', 512 * 1024, 1024),
    linkPreviewImageMaxBytes: int('LINK_PREVIEW_IMAGE_MAX_BYTES', 5 * 1024 * 1024, 1024),
    linkPreviewMaxRedirects: int('LINK_PREVIEW_MAX_REDIRECTS', 3, 0),
    linkPreviewConcurrency: int('LINK_PREVIEW_CONCURRENCY', 4, 1),
    linkPreviewTtl: int('LINK_PREVIEW_TTL', 24 * 3600, 1),
    linkPreviewFailureTtl: int('LINK_PREVIEW_FAILURE_TTL', 3600, 1),
    // --- Web Push (issue 13) ---
    vapidPublicKey: process.env.VAPID_PUBLIC_KEY?.trim() || undefined,
    vapidPrivateKey: process.env.VAPID_PRIVATE_KEY?.trim() || undefined,
    vapidSubject: process.env.VAPID_SUBJECT?.trim() || 'mailto:admin@cookim.invalid',
    pushAllowHttp: /^(1|true|yes|on)$/i.test(process.env.PUSH_ALLOW_HTTP?.trim() ?? ''),
    pushTtl: int('PUSH_TTL', 24 * 3600, 0),
    pushConcurrency: int('PUSH_CONCURRENCY', 8, 1),
  };
}

/** METRICS_ALLOW: unset: loopback; `none`: no address (the token only). */
function metricsAllow(raw: string | undefined): string[] {
  const text = raw?.trim() ?? '';
  if (text === '') return ['loopback'];
  if (/^none$/i.test(text)) return [];
  return parseAddressList('METRICS_ALLOW', text);
}

function mediaConfig(): Pick<Config, 'mediaWorkers' | 'rtcPort' | 'rtcListenIp' | 'announcedIp' | 'pipeListenIp' | 'pipeAnnouncedIp' | 'callRingTimeout'> {
  const workers = int('WORKERS', os.availableParallelism(), 1);
  return {
    mediaWorkers: int('MEDIA_WORKERS', Math.max(1, Math.floor(os.availableParallelism() / workers)), 1),
    rtcPort: int('RTC_PORT', 40000, 1),
    rtcListenIp: process.env.RTC_LISTEN_IP || '0.0.0.0',
    announcedIp: process.env.ANNOUNCED_IP || '127.0.0.1',
    pipeListenIp: process.env.PIPE_LISTEN_IP || process.env.RTC_LISTEN_IP || '0.0.0.0',
    pipeAnnouncedIp: process.env.PIPE_ANNOUNCED_IP || process.env.ANNOUNCED_IP || '127.0.0.1',
    callRingTimeout: int('CALL_RING_TIMEOUT', 30, 1),
  };
}
