import type { types as ms } from 'mediasoup';
import { write, type SdpCandidate, type SdpMedia } from 'sdp-transform';
import type { WebRtcTransportParams } from '../../../media';
import type { WhipOffer, WhipSection } from './whipOffer';

/**
 * The SDP answer to a WHIP offer: ICE-lite with the candidates of the node's WebRtcServer, our
 * DTLS fingerprint and setup, and per m-section of the offer (same order, same mids) either the
 * accepted codec (with its RTX, feedback and header extensions) received, or a refusal (port 0).
 */
export function writeAnswer(offer: WhipOffer, transport: WebRtcTransportParams, sessionId: string): string {
  const fingerprint = transport.dtlsParameters.fingerprints.find((f) => f.algorithm === 'sha-256') ?? transport.dtlsParameters.fingerprints[0]!;
  const accepted = offer.sections.filter((s) => s.track).map((s) => s.mid);
  return write({
    version: 0,
    origin: { username: '-', sessionId, sessionVersion: 1, netType: 'IN', ipVer: 4, address: '127.0.0.1' },
    name: '-',
    timing: { start: 0, stop: 0 },
    icelite: 'ice-lite',
    fingerprint: { type: fingerprint.algorithm, hash: fingerprint.value },
    groups: [{ type: 'BUNDLE', mids: accepted.join(' ') }],
    msidSemantic: { semantic: 'WMS', token: '*' },
    media: offer.sections.map((section) => (section.track ? acceptedSection(section, offer, transport) : refusedSection(section))),
  });
}

function acceptedSection(section: WhipSection, offer: WhipOffer, transport: WebRtcTransportParams): SdpMedia {
  const track = section.track!;
  const codecs = track.rtpParameters.codecs;
  const media: SdpMedia = {
    type: track.kind,
    port: 7,
    protocol: section.media.protocol,
    payloads: codecs.map((c) => c.payloadType).join(' '),
    connection: { version: 4, ip: '127.0.0.1' },
    mid: section.mid,
    direction: 'recvonly',
    iceUfrag: transport.iceParameters.usernameFragment,
    icePwd: transport.iceParameters.password,
    setup: offer.answerSetup,
    candidates: transport.iceCandidates.map(candidateOf),
    endOfCandidates: 'end-of-candidates',
    rtcpMux: 'rtcp-mux',
    rtcpRsize: 'rtcp-rsize',
    rtp: codecs.map((c) => ({
      payload: c.payloadType,
      codec: c.mimeType.split('/')[1]!,
      rate: c.clockRate,
      ...(c.channels && c.channels > 1 ? { encoding: c.channels } : {}),
    })),
    fmtp: codecs
      .filter((c) => c.parameters && Object.keys(c.parameters).length > 0)
      .map((c) => ({ payload: c.payloadType, config: Object.entries(c.parameters!).map(([k, v]) => `${k}=${v}`).join(';') })),
    rtcpFb: codecs.flatMap((c) => (c.rtcpFeedback ?? []).map((fb) => ({ payload: c.payloadType, type: fb.type, ...(fb.parameter ? { subtype: fb.parameter } : {}) }))),
    ext: (track.rtpParameters.headerExtensions ?? []).map((h) => ({ value: h.id, uri: h.uri })),
  };
  if (track.rids.length) {
    media.rids = track.rids.map((id) => ({ id, direction: 'recv' }));
    media.simulcast = { dir1: 'recv', list1: track.rids.join(';') };
  }
  return media;
}

/** A refused m-section: port 0, its first format echoed, inactive. */
function refusedSection(section: WhipSection): SdpMedia {
  const first = String(section.media.payloads ?? '').split(' ')[0] || '0';
  return {
    type: section.media.type,
    port: 0,
    protocol: section.media.protocol,
    payloads: first,
    connection: { version: 4, ip: '127.0.0.1' },
    mid: section.mid,
    direction: 'inactive',
    rtp: [],
    fmtp: [],
  };
}

function candidateOf(c: ms.IceCandidate, i: number): SdpCandidate {
  return {
    foundation: c.foundation || `udpcandidate${i}`,
    component: 1,
    transport: c.protocol,
    priority: c.priority,
    ip: c.address ?? c.ip,
    port: c.port,
    type: c.type,
    ...(c.tcpType ? { tcptype: c.tcpType } : {}),
  };
}
