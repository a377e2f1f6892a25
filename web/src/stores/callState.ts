/**
 * What the call views show: the phase of the one call this browser takes part in (idle →
 * ringing-in / joining → ringing-out → in-call ⇄ reconnecting → ended), the call, the incoming
 * ring, the calls going on in the user's conversations, the remote tracks and producers, the local
 * controls, and the notices and "call ended" texts.
 */
import { reactive } from 'vue';
import type { CallEndReason, CallInfo, CallScreenInfo, ProducerInfo } from '@protocol';
import { DEFAULT_SCREEN, emptyStage } from '@/lib/callStage';
import type { ConnectionState, RemoteMedia, TransportDirection } from '@/lib/callMedia';
import { text, type LocalText } from '@/i18n/localText';
import { formatDuration } from '@/lib/format';

export enum CallPhase {
  Idle = 'idle',
  /** Someone calls us: the incoming call screen. */
  RingingIn = 'ringing-in',
  /** We called and joined; nobody else has answered yet. */
  RingingOut = 'ringing-out',
  /** Opening the camera/microphone and negotiating the media. */
  Joining = 'joining',
  InCall = 'in-call',
  /** The socket or the media dropped; getting back into the call. */
  Reconnecting = 'reconnecting',
  /** Just ended: a short "call ended" screen, then idle. */
  Ended = 'ended',
}

/** The phases in which we are in a call (or getting into one). */
export const LIVE_PHASES: ReadonlySet<CallPhase> = new Set([CallPhase.Joining, CallPhase.RingingOut, CallPhase.InCall, CallPhase.Reconnecting]);

export interface IncomingCall {
  call: CallInfo;
  from: { uid: string; nickname: string };
}

export interface RemoteProducer extends ProducerInfo {}

/** What the ended screen says. */
export interface EndedInfo {
  reason: CallEndReason | 'left' | 'failed' | 'offline';
  durationMs: number;
  /** Kept as a catalogue key (the language may change while the ended screen shows). */
  message: LocalText;
}

export const callState = reactive({
  phase: CallPhase.Idle as CallPhase,
  /** The call we are in (or joining). */
  call: null as CallInfo | null,
  incoming: null as IncomingCall | null,
  /** Calls going on in the user's conversations, by sessionid. */
  active: {} as Record<string, CallInfo>,
  /** Remote tracks by consumer id (tracks are kept raw). */
  remote: {} as Record<string, RemoteMedia>,
  /** Remote producers of the call by producer id: who sends what, and what is paused. */
  producers: {} as Record<string, RemoteProducer>,
  /** uid of the loudest participant (call:activeSpeaker). */
  speaker: null as string | null,
  /** Limits of large calls from the server (CALL_ON_SCREEN...); defaults until joined. */
  screen: { ...DEFAULT_SCREEN } as CallScreenInfo,
  /** Who is on the grid of a large call (recent active speakers, stable slots). */
  stage: emptyStage(),
  /** The recent speakers whose audio the server lets through in a large call (call:speakers). */
  audioSpeakers: [] as string[],
  micOn: true,
  cameraOn: false,
  hasMic: false,
  sharingScreen: false,
  canSwitchCamera: false,
  /** Bumped when local tracks change, so previews pick up the new one. */
  localVersion: 0,
  /** A remote <audio> could not start without a tap (autoplay rules). */
  audioBlocked: false,
  /** Bumped by "tap to enable sound": every remote <audio> tries play() again. */
  audioKick: 0,
  transports: {} as Partial<Record<TransportDirection, ConnectionState>>,
  socketDown: false,
  recovering: false,
  /** When the call became a conversation (for the timer). */
  talkingSince: 0,
  notice: '' as LocalText,
  ended: null as EndedInfo | null,
  busy: false,
});

export function inCall(): boolean {
  return LIVE_PHASES.has(callState.phase);
}

/** The call in progress here is this one. */
export function isMine(callid: string): boolean {
  return !!callState.call && callState.call.callid === callid && inCall();
}

/** A remote participant's source is off (paused, or not sent at all). */
export function remoteSourceOff(uid: string, source: 'mic' | 'camera'): boolean {
  const producer = Object.values(callState.producers).find((p) => p.uid === uid && p.source === source);
  return !producer || producer.paused;
}

let noticeTimer: ReturnType<typeof setTimeout> | undefined;

export function showNotice(text: LocalText, ms = 5000): void {
  callState.notice = text;
  clearTimeout(noticeTimer);
  if (text) noticeTimer = setTimeout(() => (callState.notice = ''), ms);
}

export function endedMessage(reason: EndedInfo['reason'], durationMs: number): LocalText {
  if (reason === 'declined') return 'call.endedDeclined';
  if (reason === 'unanswered') return 'call.noAnswer';
  if (reason === 'offline') return 'call.endedOffline';
  return durationMs > 0 ? text('call.endedAfter', { duration: formatDuration(durationMs) }) : 'call.ended';
}

/** How long we have been talking (0 when the call never became a conversation). */
export function talkedMs(): number {
  return callState.talkingSince ? Date.now() - callState.talkingSince : 0;
}
