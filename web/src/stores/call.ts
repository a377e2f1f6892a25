/**
 * Group voice and video calls (S18): the one call this browser takes part in, as a state machine
 * (idle → ringing-in / joining → ringing-out → in-call ⇄ reconnecting → ended), the calls going on
 * in the user's conversations (for "join" banners), and the incoming ring. The media itself is
 * lib/callMedia.ts; this store feeds it the signaling events and keeps what the views show.
 */
import { markRaw, reactive } from 'vue';
import {
  SessionType,
  type CallClientEvents,
  type CallEndReason,
  type CallInfo,
  type CallKind,
  type JoinResult,
  type MediaSource,
  type ProducerInfo,
} from '@protocol';
import {
  CallMedia,
  isSuperseded,
  type CallPayload,
  type CallRequest,
  type ConnectionState,
  type RemoteMedia,
  type TransportDirection,
} from '@/lib/callMedia';
import { describeMediaError } from '@/lib/localMedia';
import { RequestError, socketRequest } from '@/lib/socketRequest';
import { reconnectPolicy } from '@/lib/reconnectPolicy';
import { auth } from './auth';
import { chat } from './chat';
import { connection, type ChatSocket } from './connection';

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

export interface IncomingCall {
  call: CallInfo;
  from: { uid: string; nickname: string };
}

export interface RemoteProducer extends ProducerInfo {}

/** What the ended screen says. */
export interface EndedInfo {
  reason: CallEndReason | 'left' | 'failed' | 'offline';
  durationMs: number;
  message: string;
}

const ENDED_SCREEN_MS = 2200;
const LIVE = new Set([CallPhase.Joining, CallPhase.RingingOut, CallPhase.InCall, CallPhase.Reconnecting]);

const state = reactive({
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
  notice: '',
  ended: null as EndedInfo | null,
  busy: false,
});

let media: CallMedia | null = null;
let joining = false;
/** Asked to recover again while a recovery was running (the media moved once more). */
let recoverAgain = false;
let endedTimer: ReturnType<typeof setTimeout> | undefined;
let noticeTimer: ReturnType<typeof setTimeout> | undefined;
let unsubscribeConnect: (() => void) | null = null;
const wired = new WeakSet<ChatSocket>();

// ---------- signaling ----------

const request: CallRequest = <E extends keyof CallClientEvents>(event: E, payload: CallPayload<E>) =>
  socketRequest(connection.socket, event, payload);

function errorText(error: unknown): string {
  if (error instanceof RequestError) {
    if (error.code === 'media_unavailable') return 'Calls are not available right now. Please try again.';
    if (error.code === 'call_not_found') return 'This call has ended.';
    if (error.code === 'not_member') return 'You are not a member of this conversation.';
    return error.message;
  }
  if (error instanceof Error && error.name === 'UnsupportedError') return 'This browser cannot make calls.';
  return error instanceof Error ? error.message : String(error);
}

function showNotice(text: string, ms = 5000): void {
  state.notice = text;
  clearTimeout(noticeTimer);
  if (text) noticeTimer = setTimeout(() => (state.notice = ''), ms);
}

// ---------- state helpers ----------

function isMine(callid: string): boolean {
  return !!state.call && state.call.callid === callid && LIVE.has(state.phase);
}

function rememberActive(call: CallInfo): void {
  if (call.state === 'ended') delete state.active[call.sessionid];
  else state.active[call.sessionid] = call;
  for (const p of call.participants) chat.rememberUser(p.uid, p.nickname);
}

/** The live phase that fits what we know now. */
function settle(): void {
  if (!state.call || !LIVE.has(state.phase)) return;
  const transportsBad = Object.values(state.transports).some((s) => s === 'failed' || s === 'disconnected');
  let next: CallPhase;
  if (joining) next = CallPhase.Joining;
  else if (state.socketDown || state.recovering || transportsBad) next = CallPhase.Reconnecting;
  else next = state.call.state === 'ringing' ? CallPhase.RingingOut : CallPhase.InCall;
  if (next === CallPhase.InCall && !state.talkingSince) state.talkingSince = Date.now();
  state.phase = next;
}

function syncLocal(): void {
  state.micOn = media?.micOn ?? false;
  state.cameraOn = media?.cameraOn ?? false;
  state.hasMic = media?.hasMic ?? false;
  state.sharingScreen = media?.sharingScreen ?? false;
  state.canSwitchCamera = (media?.cameraCount ?? 0) > 1;
  state.localVersion++;
}

function resetMediaState(): void {
  state.remote = {};
  state.producers = {};
  state.speaker = null;
  state.transports = {};
}

function newMedia(callid: string): CallMedia {
  media?.close();
  const created = new CallMedia({ callid, selfUid: auth.uid.value, request, listener: {
    remoteAdded(remote) {
      if (media !== created) return;
      state.remote[remote.consumerId] = { ...remote, track: markRaw(remote.track) };
    },
    remoteRemoved(consumerId) {
      if (media !== created) return;
      delete state.remote[consumerId];
    },
    localChanged() {
      if (media === created) syncLocal();
    },
    transportState(direction, connectionState) {
      if (media !== created) return;
      state.transports[direction] = connectionState;
      settle();
    },
    failed(reason) {
      if (media === created) void recover(reason);
    },
  } });
  media = created;
  return created;
}

/** Takes the join answer: the call, and the producers already there. */
function applyJoin(joined: JoinResult): void {
  state.call = joined.call;
  rememberActive(joined.call);
  state.producers = {};
  for (const p of joined.producers) state.producers[p.producerId] = { ...p };
}

/** Safari and Chrome let media play once the page had a tap: use the accept/start tap now. */
function primeAudio(): void {
  try {
    const Ctx = window.AudioContext ?? (window as unknown as { webkitAudioContext?: typeof AudioContext }).webkitAudioContext;
    if (!Ctx) return;
    const ctx = new Ctx();
    void ctx.resume().finally(() => setTimeout(() => void ctx.close(), 1000));
  } catch {
    /* nothing to prime */
  }
}

// ---------- joining and leaving ----------

async function enter(callid: string | null, sessionid: string, kind: CallKind): Promise<void> {
  if (LIVE.has(state.phase) || state.busy) return;
  clearTimeout(endedTimer);
  state.busy = true;
  state.ended = null;
  state.notice = '';
  state.incoming = null;
  state.audioBlocked = false;
  state.talkingSince = 0;
  state.socketDown = false;
  state.recovering = false;
  resetMediaState();
  state.call = callid
    ? (state.active[sessionid] ?? null)
    : { callid: '', sessionid, kind, state: 'ringing', startedBy: auth.uid.value, startedAt: Date.now(), participants: [] };
  joining = true;
  state.phase = CallPhase.Joining;
  primeAudio();
  const current = newMedia(callid ?? '');
  try {
    const problems = await current.openLocal(callid ? (state.call?.kind ?? kind) : kind);
    syncLocal();
    if (problems.length) showNotice(problems.join(' '), 8000);
    if (media !== current) return;
    let id = callid;
    if (!id) {
      const { call } = await request('call:start', { sessionid, kind });
      id = call.callid;
      state.call = call;
      rememberActive(call);
    }
    current.callid = id;
    const joined = await request('call:join', { callid: id });
    if (media !== current) return;
    applyJoin(joined);
    joining = false;
    settle();
    try {
      await current.connect(joined);
    } catch (error) {
      if (isSuperseded(error) || media !== current) return;
      // we are in the call; the media failed on the way (e.g. its server went away): try again
      console.warn('[call] media setup failed; retrying', String(error));
      void recover('connect');
      return;
    }
    settle();
  } catch (error) {
    if (isSuperseded(error) || media !== current) return;
    joining = false;
    const message = errorText(error);
    console.warn('[call] joining failed', String(error));
    if (state.call?.callid) await request('call:leave', { callid: state.call.callid }).catch(() => undefined);
    finish({ reason: 'failed', durationMs: 0, message: `Could not join the call: ${message}` });
  } finally {
    if (media === current) joining = false;
    state.busy = false;
  }
}

/** Closes the media and shows the ended screen for a moment. */
function finish(ended: EndedInfo): void {
  media?.close();
  media = null;
  joining = false;
  state.recovering = false;
  resetMediaState();
  syncLocal();
  state.ended = ended;
  state.phase = CallPhase.Ended;
  clearTimeout(endedTimer);
  endedTimer = setTimeout(() => {
    if (state.phase !== CallPhase.Ended) return;
    state.phase = state.incoming ? CallPhase.RingingIn : CallPhase.Idle;
    state.call = null;
    state.ended = null;
  }, ENDED_SCREEN_MS);
}

function endedMessage(reason: EndedInfo['reason'], durationMs: number): string {
  if (reason === 'declined') return 'Call declined';
  if (reason === 'unanswered') return 'No answer';
  if (reason === 'offline') return 'The call ended while you were offline';
  return durationMs > 0 ? `Call ended · ${formatCallDuration(durationMs)}` : 'Call ended';
}

async function hangUp(): Promise<void> {
  const call = state.call;
  if (!call || !LIVE.has(state.phase)) return;
  const durationMs = state.talkingSince ? Date.now() - state.talkingSince : 0;
  media?.close();
  media = null;
  finish({ reason: 'left', durationMs, message: endedMessage('left', durationMs) });
  if (call.callid) await request('call:leave', { callid: call.callid }).catch(() => undefined);
}

/**
 * Back into the call after the media or the socket dropped: call:join again (the server starts
 * our media afresh), new transports, produce and consume again, retried by the reconnect policy.
 */
async function recover(reason: string): Promise<void> {
  const current = media;
  const call = state.call;
  if (!current || !call?.callid) return;
  if (state.recovering || joining) {
    recoverAgain = true;
    return;
  }
  recoverAgain = false;
  state.recovering = true;
  settle();
  const began = Date.now();
  try {
    for (let retryCount = 0; ; retryCount++) {
      const delay = reconnectPolicy().nextRetryDelayInMs({ retryCount, elapsedMs: Date.now() - began, reason });
      if (delay === null) {
        await request('call:leave', { callid: call.callid }).catch(() => undefined);
        finish({ reason: 'failed', durationMs: 0, message: 'The connection to the call was lost.' });
        return;
      }
      await new Promise((r) => setTimeout(r, delay));
      if (media !== current) return;
      if (!connection.socket?.connected) continue;
      try {
        current.closeTransports();
        resetMediaState();
        const joined = await request('call:join', { callid: call.callid });
        if (media !== current) return;
        applyJoin(joined);
        await current.connect(joined);
        if (recoverAgain) {
          // the media moved again meanwhile: what we just built may be gone already
          recoverAgain = false;
          continue;
        }
        state.recovering = false;
        settle();
        return;
      } catch (error) {
        if (isSuperseded(error) || media !== current) return;
        if (error instanceof RequestError && (error.code === 'call_not_found' || error.code === 'not_member')) {
          // the call is over (its call:ended may not have reached us)
          const durationMs = state.talkingSince ? Date.now() - state.talkingSince : 0;
          if (reason === 'socket') finish({ reason: 'offline', durationMs, message: endedMessage('offline', 0) });
          else finish({ reason: 'all_left', durationMs, message: endedMessage('all_left', durationMs) });
          return;
        }
        console.warn('[call] reconnecting failed, retrying', String(error));
      }
    }
  } finally {
    if (media === current) state.recovering = false;
    settle();
  }
}

// ---------- socket events ----------

function wire(socket: ChatSocket): void {
  if (wired.has(socket)) return;
  wired.add(socket);

  socket.on('call:ring', ({ call, from }) => {
    rememberActive(call);
    chat.rememberUser(from.uid, from.nickname);
    if (from.uid === auth.uid.value || call.participants.some((p) => p.uid === auth.uid.value)) return;
    if (LIVE.has(state.phase)) return; // busy: the chat's banner still offers to join
    state.incoming = { call, from };
    if (state.phase === CallPhase.Idle) state.phase = CallPhase.RingingIn;
  });

  socket.on('call:update', ({ call }) => {
    rememberActive(call);
    if (state.incoming?.call.callid === call.callid) {
      state.incoming.call = call;
      // answered (here in another tab, or by someone else in the group): stop ringing
      if (call.state !== 'ringing' || call.participants.some((p) => p.uid === auth.uid.value)) dismissIncoming();
    }
    if (!isMine(call.callid)) return;
    const wasActive = state.call?.state === 'active';
    state.call = call;
    settle();
    // a private call is over when the other person hangs up
    const session = chat.state.sessions[call.sessionid];
    const alone = call.participants.every((p) => p.uid === auth.uid.value);
    if (wasActive && alone && session?.sessiontype === SessionType.Private && !state.recovering) void hangUp();
  });

  socket.on('call:declined', ({ callid, uid }) => {
    if (!isMine(callid) || uid === auth.uid.value) return;
    showNotice(`${chat.state.users[uid]?.nickname ?? 'They'} declined the call`);
  });

  socket.on('call:ended', ({ callid, sessionid, reason, durationMs }) => {
    const known = state.active[sessionid];
    if (known?.callid === callid) delete state.active[sessionid];
    if (state.incoming?.call.callid === callid) dismissIncoming();
    if (isMine(callid)) finish({ reason, durationMs, message: endedMessage(reason, durationMs) });
  });

  socket.on('call:producer:new', ({ callid, ...producer }) => {
    if (!isMine(callid) || producer.uid === auth.uid.value) return;
    state.producers[producer.producerId] = producer;
    void media?.consume(producer);
  });
  socket.on('call:producer:closed', ({ callid, producerId }) => {
    if (!isMine(callid)) return;
    delete state.producers[producerId];
    media?.producerClosed(producerId);
  });
  socket.on('call:producer:paused', ({ callid, producerId }) => {
    const p = isMine(callid) ? state.producers[producerId] : undefined;
    if (p) p.paused = true;
  });
  socket.on('call:producer:resumed', ({ callid, producerId }) => {
    const p = isMine(callid) ? state.producers[producerId] : undefined;
    if (p) p.paused = false;
  });
  socket.on('call:consumer:closed', ({ callid, consumerId }) => {
    if (isMine(callid)) media?.consumerClosed(consumerId);
  });
  socket.on('call:activeSpeaker', ({ callid, uid }) => {
    if (isMine(callid)) state.speaker = uid;
  });
  socket.on('call:reconnectMedia', ({ callid }) => {
    if (isMine(callid)) void recover('media');
  });

  socket.on('disconnect', () => {
    if (connection.socket !== socket) return;
    if (!state.call || !LIVE.has(state.phase)) return;
    // the server drops our media with the socket: get back in once it reconnects
    state.socketDown = true;
    settle();
  });
}

function dismissIncoming(): void {
  state.incoming = null;
  if (state.phase === CallPhase.RingingIn) state.phase = CallPhase.Idle;
}

async function onConnected(socket: ChatSocket): Promise<void> {
  wire(socket);
  let calls: CallInfo[] = [];
  try {
    ({ calls } = await request('call:list', {}));
  } catch {
    return;
  }
  const seen = new Set<string>();
  for (const call of calls) {
    rememberActive(call);
    seen.add(call.sessionid);
  }
  for (const sessionid of Object.keys(state.active)) if (!seen.has(sessionid)) delete state.active[sessionid];
  if (state.incoming && !calls.some((c) => c.callid === state.incoming!.call.callid)) dismissIncoming();

  const mine = state.call;
  if (!mine?.callid || !LIVE.has(state.phase)) return;
  const wasDown = state.socketDown;
  state.socketDown = false;
  if (!wasDown) {
    settle();
    return;
  }
  if (calls.some((c) => c.callid === mine.callid)) void recover('socket');
  else finish({ reason: 'offline', durationMs: 0, message: endedMessage('offline', 0) });
}

function onOnline(): void {
  if (media && LIVE.has(state.phase)) media.restartIceAll('online');
}

// ---------- public API ----------

export function formatCallDuration(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

export const callStore = {
  state,

  /** Wires the store to the (re)connecting socket; App calls it right after chat.start(). */
  attach(): void {
    unsubscribeConnect?.();
    unsubscribeConnect = connection.onConnect((socket) => void onConnected(socket));
    if (connection.socket) wire(connection.socket);
    window.addEventListener('online', onOnline);
    if (localStorage.getItem('cookim.debug') === '1') {
      (window as unknown as { __cookimCall?: unknown }).__cookimCall = {
        state,
        stats: () => media?.stats() ?? null,
      };
    }
  },

  detach(): void {
    unsubscribeConnect?.();
    unsubscribeConnect = null;
    window.removeEventListener('online', onOnline);
    media?.close();
    media = null;
    joining = false;
    clearTimeout(endedTimer);
    state.phase = CallPhase.Idle;
    state.call = null;
    state.incoming = null;
    state.active = {};
    state.ended = null;
    state.notice = '';
    resetMediaState();
  },

  isLive(): boolean {
    return LIVE.has(state.phase);
  },

  /** Starts a call in a conversation (or joins the one already going on there). */
  startCall(sessionid: string, kind: CallKind): Promise<void> {
    const existing = state.active[sessionid];
    if (existing) return enter(existing.callid, sessionid, existing.kind);
    return enter(null, sessionid, kind);
  },

  accept(): Promise<void> {
    const incoming = state.incoming;
    if (!incoming) return Promise.resolve();
    rememberActive(incoming.call);
    return enter(incoming.call.callid, incoming.call.sessionid, incoming.call.kind);
  },

  /** Private calls: "decline" (the caller is told); groups: "ignore" (only the ringing here stops). */
  async decline(): Promise<void> {
    const incoming = state.incoming;
    if (!incoming) return;
    dismissIncoming();
    await request('call:decline', { callid: incoming.call.callid }).catch(() => undefined);
  },

  join(sessionid: string): Promise<void> {
    const call = state.active[sessionid];
    if (!call) return Promise.resolve();
    return enter(call.callid, sessionid, call.kind);
  },

  hangUp,

  async toggleMic(): Promise<void> {
    if (!media) return;
    await media.setMic(!media.micOn).catch((e) => showNotice(errorText(e)));
    syncLocal();
  },

  async toggleCamera(): Promise<void> {
    if (!media) return;
    await media.setCamera(!media.cameraOn).catch((e) => showNotice(`Camera: ${describeMediaError(e)}`));
    syncLocal();
  },

  async switchCamera(): Promise<void> {
    await media?.switchCamera().catch((e) => showNotice(`Camera: ${describeMediaError(e)}`));
    syncLocal();
  },

  async toggleScreenShare(): Promise<void> {
    if (!media) return;
    try {
      if (media.sharingScreen) await media.stopScreenShare();
      else await media.startScreenShare();
    } catch (e) {
      // closing the browser's picker is no error worth showing
      if (!(e instanceof DOMException && e.name === 'NotAllowedError')) showNotice(`Screen sharing: ${describeMediaError(e)}`);
    }
    syncLocal();
  },

  localTrack(source: MediaSource): MediaStreamTrack | null {
    void state.localVersion; // reactive dependency
    return media?.localTrack(source) ?? null;
  },

  preferLayer(consumerId: string, spatialLayer: number): void {
    void media?.preferLayer(consumerId, spatialLayer);
  },

  audioBlocked(): void {
    state.audioBlocked = true;
  },

  enableSound(): void {
    state.audioBlocked = false;
    state.audioKick++;
  },

  dismissEnded(): void {
    clearTimeout(endedTimer);
    if (state.phase !== CallPhase.Ended) return;
    state.phase = state.incoming ? CallPhase.RingingIn : CallPhase.Idle;
    state.call = null;
    state.ended = null;
  },

  /** A remote participant's microphone is off (paused or not sending). */
  micOff(uid: string): boolean {
    const mic = Object.values(state.producers).find((p) => p.uid === uid && p.source === 'mic');
    return !mic || mic.paused;
  },

  cameraOff(uid: string): boolean {
    const cam = Object.values(state.producers).find((p) => p.uid === uid && p.source === 'camera');
    return !cam || cam.paused;
  },
};
