import { isSameProfile } from 'h264-profile-level-id';
import type { types as ms } from 'mediasoup';
import { parse, parseParams, type SdpMedia, type SessionDescription } from 'sdp-transform';
import { SdpOfferError } from './whipErrors';

/** A track of the offer the stream takes: its m-section, and what mediasoup's producer needs. */
export interface WhipTrack {
  mid: string;
  kind: ms.MediaKind;
  rtpParameters: ms.RtpParameters;
  /** Simulcast layers, by rid (answered `recv`). */
  rids: string[];
}

/** An m-section of the offer, taken (a track) or refused (answered with port 0). */
export interface WhipSection {
  media: SdpMedia;
  mid: string;
  track: WhipTrack | null;
}

/** What a WHIP offer asks, in mediasoup's terms. */
export interface WhipOffer {
  sections: WhipSection[];
  /** The encoder's DTLS fingerprints and role (to `transport.connect()`). */
  dtlsParameters: ms.DtlsParameters;
  /** Our side of the DTLS handshake in the answer. */
  answerSetup: 'passive' | 'active';
}

/** A bound on what is read: an offer of an encoder is a few kilobytes. */
export const MAX_OFFER_BYTES = 64 * 1024;

const FINGERPRINT_ALGORITHMS = new Set(['sha-1', 'sha-224', 'sha-256', 'sha-384', 'sha-512']);

/**
 * Reads an encoder's SDP offer (RFC 9725 clients: OBS, GStreamer, browsers) into mediasoup
 * producer parameters: one audio (Opus) and one video (H.264 or VP8) track at most, each with the
 * first of its offered codecs the router takes, its RTX, feedback, header extensions and SSRCs (or
 * simulcast rids). Anything else (data channels, a second video) is refused in the answer.
 */
export function readOffer(sdp: string, caps: ms.RtpCapabilities): WhipOffer {
  let session: SessionDescription;
  try {
    session = parse(sdp);
  } catch {
    throw new SdpOfferError('not a session description');
  }
  if (!Array.isArray(session.media) || session.media.length === 0) throw new SdpOfferError('no media sections');
  const taken = new Set<ms.MediaKind>();
  const sections = session.media.map((media, index): WhipSection => {
    const mid = media.mid !== undefined ? String(media.mid) : String(index);
    const kind = media.type === 'audio' || media.type === 'video' ? media.type : null;
    const sending = media.direction === undefined || media.direction === 'sendonly' || media.direction === 'sendrecv';
    if (!kind || taken.has(kind) || !sending || media.port === 0) return { media, mid, track: null };
    const track = trackOf(media, mid, kind, caps);
    if (track) taken.add(kind);
    return { media, mid, track };
  });
  if (!taken.has('video')) throw new SdpOfferError('no video track in a codec this server takes (H.264 packetization-mode 1 constrained baseline, or VP8)');
  return { sections, ...dtlsOf(session) };
}

function dtlsOf(session: SessionDescription): Pick<WhipOffer, 'dtlsParameters' | 'answerSetup'> {
  const first = session.media.find((m) => m.port !== 0) ?? session.media[0]!;
  const fingerprint = first.fingerprint ?? session.fingerprint;
  const algorithm = fingerprint?.type.toLowerCase();
  if (!fingerprint || !algorithm || !FINGERPRINT_ALGORITHMS.has(algorithm)) throw new SdpOfferError('no DTLS fingerprint');
  const setup = (first.setup ?? session.setup ?? 'actpass').toLowerCase();
  // An encoder that insists on being the DTLS server (setup:passive) gets us as the client.
  const encoderIsServer = setup === 'passive';
  return {
    dtlsParameters: { role: encoderIsServer ? 'server' : 'client', fingerprints: [{ algorithm: algorithm as ms.FingerprintAlgorithm, value: fingerprint.hash }] },
    answerSetup: encoderIsServer ? 'active' : 'passive',
  };
}

function trackOf(media: SdpMedia, mid: string, kind: ms.MediaKind, caps: ms.RtpCapabilities): WhipTrack | null {
  const order = String(media.payloads ?? '')
    .split(' ')
    .map(Number)
    .filter((pt) => Number.isInteger(pt));
  for (const pt of order) {
    const rtp = media.rtp.find((r) => r.payload === pt);
    if (!rtp) continue;
    const params = fmtpOf(media, pt);
    const cap = caps.codecs?.find((c) => c.kind === kind && codecMatches(`${kind}/${rtp.codec}`, rtp, params, c));
    if (!cap) continue;
    const codecs: ms.RtpCodecParameters[] = [
      {
        mimeType: cap.mimeType,
        payloadType: pt,
        clockRate: cap.clockRate,
        ...(cap.channels ? { channels: cap.channels } : {}),
        parameters: params,
        rtcpFeedback: (media.rtcpFb ?? [])
          .filter((fb) => Number(fb.payload) === pt || fb.payload === '*')
          .map((fb) => ({ type: fb.type, parameter: fb.subtype ?? '' }))
          .filter((fb) => cap.rtcpFeedback?.some((c) => c.type === fb.type && (c.parameter ?? '') === fb.parameter)),
      },
    ];
    const rtx = kind === 'video' ? media.rtp.find((r) => r.codec.toLowerCase() === 'rtx' && Number(fmtpOf(media, r.payload).apt) === pt) : undefined;
    if (rtx) codecs.push({ mimeType: `${kind}/rtx`, payloadType: rtx.payload, clockRate: cap.clockRate, parameters: { apt: pt }, rtcpFeedback: [] });
    const headerExtensions = (media.ext ?? [])
      .filter((e) => e.direction !== 'inactive' && caps.headerExtensions?.some((h) => h.kind === kind && h.uri === e.uri))
      .map((e) => ({ uri: e.uri as ms.RtpHeaderExtensionUri, id: e.value, encrypt: false, parameters: {} }));
    const rids = (media.rids ?? []).filter((r) => r.direction === 'send').map((r) => String(r.id));
    const cname = media.ssrcs?.find((s) => s.attribute === 'cname')?.value;
    return {
      mid,
      kind,
      rids,
      rtpParameters: {
        mid,
        codecs,
        headerExtensions,
        encodings: rids.length ? rids.map((rid) => ({ rid })) : encodingsOf(media, !!rtx),
        rtcp: { ...(cname ? { cname } : {}), reducedSize: true },
      },
    };
  }
  return null;
}

/** Whether an offered codec is the router's: same type and rate; Opus in stereo; H.264 of the same packetization and profile. */
function codecMatches(mimeType: string, rtp: { rate?: number; encoding?: string | number }, params: Record<string, string | number>, cap: ms.RtpCodecCapability): boolean {
  if (cap.mimeType.toLowerCase() !== mimeType.toLowerCase() || cap.clockRate !== rtp.rate) return false;
  if (cap.kind === 'audio' && cap.channels !== undefined && Number(rtp.encoding ?? 1) !== cap.channels) return false;
  if (cap.mimeType.toLowerCase() === 'video/h264') {
    const mode = (p: Record<string, unknown> | undefined) => Number(p?.['packetization-mode'] ?? 0);
    return mode(params) === mode(cap.parameters) && isSameProfile(params, cap.parameters);
  }
  return true;
}

function fmtpOf(media: SdpMedia, pt: number): Record<string, string | number> {
  const line = media.fmtp.find((f) => f.payload === pt);
  return line ? parseParams(line.config) : {};
}

/** One encoding: the SSRC (and its RTX, from the FID group) the encoder announced, or none (matched by MID). */
function encodingsOf(media: SdpMedia, hasRtx: boolean): ms.RtpEncodingParameters[] {
  const fid = media.ssrcGroups?.find((g) => g.semantics === 'FID');
  if (fid) {
    const [ssrc, rtx] = fid.ssrcs.split(' ').map(Number);
    if (ssrc) return [{ ssrc, ...(hasRtx && rtx ? { rtx: { ssrc: rtx } } : {}) }];
  }
  const ssrc = Number(media.ssrcs?.[0]?.id);
  return [ssrc ? { ssrc } : {}];
}
