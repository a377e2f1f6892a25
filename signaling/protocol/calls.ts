/**
 * Group voice and video calls (S18): the call lifecycle and the mediasoup negotiation, as typed
 * Socket.IO events shared by the server and the web client. mediasoup's own parameter objects
 * (RTP capabilities, DTLS/ICE parameters, RTP parameters) travel as opaque JSON: the server hands
 * them to mediasoup and the client to mediasoup-client, which validate them.
 */
import { z } from 'zod';
import type { Ack } from './ack';
import type { CallRecordingClientEvents, CallRecordingInfo, CallRecordingServerEvents } from './callRecording';

export const CallKind = { Voice: 'voice', Video: 'video' } as const;
export type CallKind = (typeof CallKind)[keyof typeof CallKind];

export const CallState = { Ringing: 'ringing', Active: 'active', Ended: 'ended' } as const;
export type CallState = (typeof CallState)[keyof typeof CallState];

/** What a producer carries: mic and camera of a participant, or a screen share. */
export const MediaSource = { Mic: 'mic', Camera: 'camera', Screen: 'screen' } as const;
export type MediaSource = (typeof MediaSource)[keyof typeof MediaSource];

/** Why a call ended or a participant was refused. */
export const CallEndReason = {
  AllLeft: 'all_left',
  Declined: 'declined',
  Unanswered: 'unanswered',
} as const;
export type CallEndReason = (typeof CallEndReason)[keyof typeof CallEndReason];

export type JsonObject = Record<string, unknown>;

export interface CallParticipant {
  uid: string;
  nickname: string;
  joinedAt: number;
}

export interface CallInfo {
  callid: string;
  sessionid: string;
  kind: CallKind;
  state: CallState;
  startedBy: string;
  startedAt: number;
  participants: CallParticipant[];
  /** Issue 15: the recording that runs, if any. */
  recording?: CallRecordingInfo;
}

export interface ProducerInfo {
  producerId: string;
  uid: string;
  kind: 'audio' | 'video';
  source: MediaSource;
  paused: boolean;
}

export interface TransportInfo {
  transportId: string;
  iceParameters: JsonObject;
  iceCandidates: JsonObject[];
  dtlsParameters: JsonObject;
}

export interface JoinResult {
  call: CallInfo;
  routerRtpCapabilities: JsonObject;
  /** Producers already in the call, to consume. */
  producers: ProducerInfo[];
  /** How the server limits subscriptions in large calls (S28); absent from older servers. */
  screen?: CallScreenInfo;
  /** The most recent speakers whose audio flows in a large call, newest first (as `call:speakers`). */
  speakers?: string[];
}

/** Subscription limits of large calls (S28): what a client shows and what the server lets through. */
export interface CallScreenInfo {
  /** How many participants the grid keeps on screen (the most recent active speakers): CALL_ON_SCREEN. */
  onScreen: number;
  /** Up to this many participants, everyone's audio flows: CALL_AUDIO_ALL_UP_TO. */
  audioAllUpTo: number;
  /** Past that size, audio flows only from this many most recent speakers: CALL_AUDIO_LOUDEST. */
  audioLoudest: number;
}

export interface ConsumeResult {
  consumerId: string;
  producerId: string;
  kind: 'audio' | 'video';
  rtpParameters: JsonObject;
  uid: string;
  source: MediaSource;
  /** Consumers start paused: the client resumes once its track is wired up. */
  paused: boolean;
}

// ---- inbound payload schemas ----

const objectId = z.string().regex(/^[0-9a-f]{24}$/);
const id = z.string().min(1).max(128);
const json = z.record(z.string(), z.unknown());

/**
 * Bounds on mediasoup's parameter objects. They stay opaque JSON for the types (mediasoup and
 * mediasoup-client validate their meaning), but their lists and strings are bounded here, at the
 * edge, so a request cannot make the media server chew on 1000 simulcast encodings or 400 DTLS
 * fingerprints. Simulcast sends 3 encodings; a DTLS stack offers a fingerprint or two.
 */
export const MediaLimits = {
  encodings: 4,
  fingerprints: 8,
  codecs: 64,
  headerExtensions: 32,
  rtcpFeedback: 16,
  codecParameters: 32,
  /** Serialized size of one parameter object (bytes of JSON). */
  rtpParametersBytes: 16 * 1024,
  rtpCapabilitiesBytes: 32 * 1024,
  dtlsParametersBytes: 4 * 1024,
} as const;

const text = z.string().max(256);
const codecParameters = z
  .record(z.string().max(64), z.union([z.string().max(512), z.number(), z.boolean()]))
  .refine((o) => Object.keys(o).length <= MediaLimits.codecParameters, `at most ${MediaLimits.codecParameters} codec parameters`);
const codec = z.looseObject({
  mimeType: text,
  parameters: codecParameters.optional(),
  rtcpFeedback: z.array(z.looseObject({ type: text, parameter: text.optional() })).max(MediaLimits.rtcpFeedback).optional(),
});
const headerExtension = z.looseObject({ uri: text, parameters: codecParameters.optional() });
const codecs = z.array(codec).max(MediaLimits.codecs);
const headerExtensions = z.array(headerExtension).max(MediaLimits.headerExtensions);

const RtpParametersShape = z.looseObject({
  mid: z.string().max(32).optional(),
  codecs: codecs.optional(),
  headerExtensions: headerExtensions.optional(),
  encodings: z
    .array(z.looseObject({ rid: z.string().max(32).optional(), scalabilityMode: z.string().max(32).optional() }))
    .max(MediaLimits.encodings)
    .optional(),
  rtcp: z.looseObject({ cname: text.optional() }).optional(),
});
const RtpCapabilitiesShape = z.looseObject({ codecs: codecs.optional(), headerExtensions: headerExtensions.optional() });
const DtlsParametersShape = z.looseObject({
  role: z.string().max(16).optional(),
  fingerprints: z.array(z.looseObject({ algorithm: z.string().max(16), value: text })).max(MediaLimits.fingerprints).optional(),
});

/** Opaque JSON for the types, checked against `shape` and a size bound. */
function bounded(shape: z.ZodType, maxBytes: number, what: string) {
  return json.superRefine((value, ctx) => {
    if (JSON.stringify(value).length > maxBytes) {
      ctx.addIssue({ code: 'custom', message: `${what} is larger than ${maxBytes} bytes` });
      return;
    }
    const checked = shape.safeParse(value);
    if (!checked.success) for (const issue of checked.error.issues) ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path });
  });
}

export const RtpParametersSchema = bounded(RtpParametersShape, MediaLimits.rtpParametersBytes, 'rtpParameters');
export const RtpCapabilitiesSchema = bounded(RtpCapabilitiesShape, MediaLimits.rtpCapabilitiesBytes, 'rtpCapabilities');
export const DtlsParametersSchema = bounded(DtlsParametersShape, MediaLimits.dtlsParametersBytes, 'dtlsParameters');

export const CallStartPayload = z.object({ sessionid: objectId, kind: z.enum(['voice', 'video']) });
export const CallRefPayload = z.object({ callid: id });
export const TransportCreatePayload = z.object({ callid: id, direction: z.enum(['send', 'recv']) });
export const TransportConnectPayload = z.object({ callid: id, transportId: id, dtlsParameters: DtlsParametersSchema });
export const TransportRefPayload = z.object({ callid: id, transportId: id });
export const ProducePayload = z.object({
  callid: id,
  transportId: id,
  kind: z.enum(['audio', 'video']),
  rtpParameters: RtpParametersSchema,
  source: z.enum(['mic', 'camera', 'screen']),
});
export const ProducerRefPayload = z.object({ callid: id, producerId: id });
export const ConsumePayload = z.object({ callid: id, producerId: id, rtpCapabilities: RtpCapabilitiesSchema });
export const ConsumerRefPayload = z.object({ callid: id, consumerId: id });
export const ConsumerLayersPayload = z.object({
  callid: id,
  consumerId: id,
  spatialLayer: z.number().int().min(0).max(2),
  temporalLayer: z.number().int().min(0).max(2).optional(),
});

export type CallStartPayload = z.infer<typeof CallStartPayload>;
export type CallRefPayload = z.infer<typeof CallRefPayload>;
export type TransportCreatePayload = z.infer<typeof TransportCreatePayload>;
export type TransportConnectPayload = z.infer<typeof TransportConnectPayload>;
export type TransportRefPayload = z.infer<typeof TransportRefPayload>;
export type ProducePayload = z.infer<typeof ProducePayload>;
export type ProducerRefPayload = z.infer<typeof ProducerRefPayload>;
export type ConsumePayload = z.infer<typeof ConsumePayload>;
export type ConsumerRefPayload = z.infer<typeof ConsumerRefPayload>;
export type ConsumerLayersPayload = z.infer<typeof ConsumerLayersPayload>;

type Ok = { ok: true };

export interface CallClientEvents extends CallRecordingClientEvents {
  /**
   * Starts a call in a conversation: posts a msgtype 5/6 message and rings the online members. The
   * caller then joins it like everyone else (`call:join`). When the conversation already has a call,
   * the answer is that call.
   */
  'call:start': (payload: CallStartPayload, ack: Ack<{ call: CallInfo }>) => void;
  /** Joins (or accepts) a call; every negotiation request after this checks membership again. */
  'call:join': (payload: CallRefPayload, ack: Ack<JoinResult>) => void;
  /** Private calls: the callee says no (the caller is told; a missed-call message is posted). */
  'call:decline': (payload: CallRefPayload, ack: Ack<Ok>) => void;
  'call:leave': (payload: CallRefPayload, ack: Ack<Ok>) => void;
  /** Calls going on in the user's conversations (to show "join" buttons after a reload). */
  'call:list': (payload: Record<string, never>, ack: Ack<{ calls: CallInfo[] }>) => void;
  'call:transport:create': (payload: TransportCreatePayload, ack: Ack<TransportInfo>) => void;
  'call:transport:connect': (payload: TransportConnectPayload, ack: Ack<Ok>) => void;
  'call:transport:restartIce': (payload: TransportRefPayload, ack: Ack<{ iceParameters: JsonObject }>) => void;
  'call:produce': (payload: ProducePayload, ack: Ack<{ producerId: string }>) => void;
  'call:producer:pause': (payload: ProducerRefPayload, ack: Ack<Ok>) => void;
  'call:producer:resume': (payload: ProducerRefPayload, ack: Ack<Ok>) => void;
  'call:producer:close': (payload: ProducerRefPayload, ack: Ack<Ok>) => void;
  'call:consume': (payload: ConsumePayload, ack: Ack<ConsumeResult>) => void;
  'call:consumer:resume': (payload: ConsumerRefPayload, ack: Ack<Ok>) => void;
  /**
   * Stops a consumer's media on the server (its tile is hidden: scrolled away, minimized or off the
   * grid); `call:consumer:resume` lets it flow again. Audio past CALL_AUDIO_ALL_UP_TO flows only
   * while the client wants it AND its sender is among the recent speakers (`call:speakers`).
   */
  'call:consumer:pause': (payload: ConsumerRefPayload, ack: Ack<Ok>) => void;
  /** The preferred simulcast layer, chosen by the client from the size of the tile showing it. */
  'call:consumer:setLayers': (payload: ConsumerLayersPayload, ack: Ack<Ok>) => void;
}

export interface CallServerEvents extends CallRecordingServerEvents {
  /** An incoming call for one of the user's conversations. */
  'call:ring': (event: { call: CallInfo; from: { uid: string; nickname: string } }) => void;
  /** Participants or state changed. */
  'call:update': (event: { call: CallInfo }) => void;
  'call:declined': (event: { callid: string; uid: string }) => void;
  'call:ended': (event: { callid: string; sessionid: string; reason: CallEndReason; durationMs: number }) => void;
  'call:producer:new': (event: { callid: string } & ProducerInfo) => void;
  'call:producer:closed': (event: { callid: string; producerId: string; uid: string }) => void;
  'call:producer:paused': (event: { callid: string; producerId: string; uid: string }) => void;
  'call:producer:resumed': (event: { callid: string; producerId: string; uid: string }) => void;
  'call:consumer:closed': (event: { callid: string; consumerId: string }) => void;
  'call:consumer:layers': (event: { callid: string; consumerId: string; spatialLayer: number | null; temporalLayer: number | null }) => void;
  'call:consumer:score': (event: { callid: string; consumerId: string; score: number; producerScore: number }) => void;
  'call:activeSpeaker': (event: { callid: string; uid: string | null }) => void;
  /**
   * The most recent speakers, newest first (at most CALL_AUDIO_LOUDEST): past CALL_AUDIO_ALL_UP_TO
   * participants, the server lets audio flow only from these.
   */
  'call:speakers': (event: { callid: string; uids: string[] }) => void;
  /**
   * The call's media moved (its mediasoup worker died): close the local transports, `call:join`
   * again (new router capabilities), create transports and produce/consume again.
   */
  'call:reconnectMedia': (event: { callid: string }) => void;
}
