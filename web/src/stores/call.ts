/**
 * Group voice and video calls (S18), as the views see them: the call state (stores/callState.ts),
 * the calls going on in the user's conversations and the incoming ring (activeCalls.ts), the call
 * this browser takes part in (callSession.ts) and its devices (callDevices.ts). This wires them to
 * the (re)connecting socket and gathers what the components call.
 */
import type { CallInfo, CallKind, MediaSource } from '@protocol';
import { declineIncoming, refreshActive, rememberActive, wireActiveCalls } from './activeCalls';
import * as devices from './callDevices';
import { currentMedia, closeCall, dismissEnded, enterCall, hangUp, restartIceOnline, resumeAfterReconnect, wireCallSession } from './callSession';
import { tileShown } from './callScreen';
import { callRequest } from './callSignaling';
import { callState, inCall, remoteSourceOff } from './callState';
import { connection, type ChatSocket } from './connection';
import { wireCallRecording } from './callRecording';

export { CallPhase, type EndedInfo, type IncomingCall, type RemoteProducer } from './callState';

let unsubscribeConnect: (() => void) | null = null;
const wired = new WeakSet<ChatSocket>();

function wire(socket: ChatSocket): void {
  if (wired.has(socket)) return;
  wired.add(socket);
  // the list first: on call:ended the banner goes before the ended screen decides what comes next
  wireActiveCalls(socket);
  wireCallSession(socket);
  wireCallRecording(socket);
}

async function onConnected(socket: ChatSocket): Promise<void> {
  wire(socket);
  let calls: CallInfo[] = [];
  try {
    ({ calls } = await callRequest('call:list', {}));
  } catch {
    return;
  }
  refreshActive(calls);
  resumeAfterReconnect(calls);
}

export const callStore = {
  state: callState,

  /** Wires the store to the (re)connecting socket; App calls it right after chat.start(). */
  attach(): void {
    unsubscribeConnect?.();
    unsubscribeConnect = connection.onConnect((socket) => void onConnected(socket));
    if (connection.socket) wire(connection.socket);
    window.addEventListener('online', restartIceOnline);
    if (localStorage.getItem('cookim.debug') === '1') {
      (window as Window & { __cookimCall?: unknown }).__cookimCall = {
        state: callState,
        stats: () => currentMedia()?.stats() ?? null,
      };
    }
  },

  detach(): void {
    unsubscribeConnect?.();
    unsubscribeConnect = null;
    window.removeEventListener('online', restartIceOnline);
    closeCall();
  },

  isLive(): boolean {
    return inCall();
  },

  /** Starts a call in a conversation (or joins the one already going on there). */
  startCall(sessionid: string, kind: CallKind): Promise<void> {
    const existing = callState.active[sessionid];
    if (existing) return enterCall(existing.callid, sessionid, existing.kind);
    return enterCall(null, sessionid, kind);
  },

  accept(): Promise<void> {
    const incoming = callState.incoming;
    if (!incoming) return Promise.resolve();
    rememberActive(incoming.call);
    return enterCall(incoming.call.callid, incoming.call.sessionid, incoming.call.kind);
  },

  decline: declineIncoming,

  join(sessionid: string): Promise<void> {
    const call = callState.active[sessionid];
    if (!call) return Promise.resolve();
    return enterCall(call.callid, sessionid, call.kind);
  },

  hangUp,

  toggleMic: () => devices.toggleMic(currentMedia()),
  toggleCamera: () => devices.toggleCamera(currentMedia()),
  switchCamera: () => devices.switchCamera(currentMedia()),
  toggleScreenShare: () => devices.toggleScreenShare(currentMedia()),

  localTrack(source: MediaSource): MediaStreamTrack | null {
    return devices.localTrack(currentMedia(), source);
  },

  preferLayer(consumerId: string, spatialLayer: number): void {
    void currentMedia()?.preferLayer(consumerId, spatialLayer);
  },

  /** A tile showing a remote video came into view (its media flows) or left it (paused on the server). */
  tileShown(consumerId: string, shown: boolean): void {
    tileShown(currentMedia(), consumerId, shown);
  },

  audioBlocked: devices.audioBlocked,
  enableSound: devices.enableSound,
  dismissEnded,

  /** A remote participant's microphone is off (paused or not sending). */
  micOff: (uid: string): boolean => remoteSourceOff(uid, 'mic'),
  cameraOff: (uid: string): boolean => remoteSourceOff(uid, 'camera'),
};
