/**
 * The call this browser takes part in: getting in (start, accept or join: local media, call:join,
 * then the media engine negotiates), staying in (re-joining after the socket or the media dropped,
 * with the reconnect policy) and getting out (hang up, or the call ended), with the phase kept in
 * step. The media itself is lib/callMedia.ts; this feeds it the call's signaling events.
 */
import { markRaw } from 'vue';
import { SessionType, type CallInfo, type CallKind, type JoinResult } from '@protocol';
import { text } from '@/i18n/localText';
import { mediaProblemText } from '@/i18n/mediaText';
import { CallMedia, isSuperseded } from '@/lib/callMedia';
import { reconnectPolicy } from '@/lib/reconnectPolicy';
import { RequestError } from '@/lib/socketRequest';
import { rememberActive } from './activeCalls';
import { auth } from './auth';
import { primeAudio, syncLocal } from './callDevices';
import { callErrorText, callRequest as request } from './callSignaling';
import { CallPhase, callState as state, endedMessage, inCall, isMine, showNotice, talkedMs, type EndedInfo } from './callState';
import { chat } from './chat';
import { connection, type ChatSocket } from './connection';
import { arrangeOnScreen, resetScreen, screenFromJoin, speakerOnScreen } from './callScreen';

const ENDED_SCREEN_MS = 2200;

let media: CallMedia | null = null;
let joining = false;
/** Asked to recover again while a recovery was running (the media moved once more). */
let recoverAgain = false;
let endedTimer: ReturnType<typeof setTimeout> | undefined;

/** The media engine of the call in progress (null outside a call). */
export function currentMedia(): CallMedia | null {
  return media;
}

/** The live phase that fits what we know now. */
function settle(): void {
  if (!state.call || !inCall()) return;
  const transportsBad = Object.values(state.transports).some((s) => s === 'failed' || s === 'disconnected');
  let next: CallPhase;
  if (joining) next = CallPhase.Joining;
  else if (state.socketDown || state.recovering || transportsBad) next = CallPhase.Reconnecting;
  else next = state.call.state === 'ringing' ? CallPhase.RingingOut : CallPhase.InCall;
  if (next === CallPhase.InCall && !state.talkingSince) state.talkingSince = Date.now();
  state.phase = next;
}

function resetMediaState(): void {
  state.remote = {};
  state.producers = {};
  state.speaker = null;
  state.transports = {};
  resetScreen();
}

function newMedia(callid: string): CallMedia {
  media?.close();
  const created = new CallMedia({
    callid,
    selfUid: auth.uid.value,
    request,
    // hidden tiles cost no bandwidth: video flows while its tile shows
    videoOnDemand: true,
    listener: {
      remoteAdded(remote) {
        if (media !== created) return;
        state.remote[remote.consumerId] = { ...remote, track: markRaw(remote.track) };
      },
      remoteRemoved(consumerId) {
        if (media !== created) return;
        delete state.remote[consumerId];
      },
      localChanged() {
        if (media === created) syncLocal(created);
      },
      transportState(direction, connectionState) {
        if (media !== created) return;
        state.transports[direction] = connectionState;
        settle();
      },
      failed(reason) {
        if (media === created) void recover(reason);
      },
    },
  });
  media = created;
  return created;
}

/** Takes the join answer: the call, and the producers already there. */
function applyJoin(joined: JoinResult): void {
  state.call = joined.call;
  rememberActive(joined.call);
  state.producers = {};
  for (const p of joined.producers) state.producers[p.producerId] = { ...p };
  screenFromJoin(joined);
}

// ---------- joining and leaving ----------

/** Gets into a call: the one going on (callid), or a new one in the conversation (null). */
export async function enterCall(callid: string | null, sessionid: string, kind: CallKind): Promise<void> {
  if (inCall() || state.busy) return;
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
    syncLocal(current);
    // the engine names at most one device it could not open
    if (problems[0]) showNotice(mediaProblemText(problems[0]), 8000);
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
    const reason = callErrorText(error);
    console.warn('[call] joining failed', String(error));
    if (state.call?.callid) await request('call:leave', { callid: state.call.callid }).catch(() => undefined);
    finish({ reason: 'failed', durationMs: 0, message: text('call.joinFailed', { reason }) });
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
  syncLocal(null);
  state.ended = ended;
  state.phase = CallPhase.Ended;
  clearTimeout(endedTimer);
  endedTimer = setTimeout(dismissEnded, ENDED_SCREEN_MS);
}

/** From the ended screen back to idle (or to the call ringing meanwhile). */
export function dismissEnded(): void {
  clearTimeout(endedTimer);
  if (state.phase !== CallPhase.Ended) return;
  state.phase = state.incoming ? CallPhase.RingingIn : CallPhase.Idle;
  state.call = null;
  state.ended = null;
}

export async function hangUp(): Promise<void> {
  const call = state.call;
  if (!call || !inCall()) return;
  const durationMs = talkedMs();
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
        finish({ reason: 'failed', durationMs: 0, message: 'call.connectionLost' });
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
          const durationMs = talkedMs();
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

/** After a (re)connect: back into our call if it still goes on (the server dropped our media with the old socket). */
export function resumeAfterReconnect(calls: CallInfo[]): void {
  const mine = state.call;
  if (!mine?.callid || !inCall()) return;
  const wasDown = state.socketDown;
  state.socketDown = false;
  if (!wasDown) {
    settle();
    return;
  }
  if (calls.some((c) => c.callid === mine.callid)) void recover('socket');
  else finish({ reason: 'offline', durationMs: 0, message: endedMessage('offline', 0) });
}

/** The network changed (the browser's `online` event): ICE restarts. */
export function restartIceOnline(): void {
  if (media && inCall()) media.restartIceAll('online');
}

/** Drops the call without a word to the server (signing out: the socket goes too). */
export function closeCall(): void {
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
}

// ---------- socket events of the call in progress ----------

export function wireCallSession(socket: ChatSocket): void {
  socket.on('call:update', ({ call }) => {
    if (!isMine(call.callid)) return;
    const wasActive = state.call?.state === 'active';
    state.call = call;
    arrangeOnScreen();
    settle();
    // a private call is over when the other person hangs up
    const session = chat.state.sessions[call.sessionid];
    const alone = call.participants.every((p) => p.uid === auth.uid.value);
    if (wasActive && alone && session?.sessiontype === SessionType.Private && !state.recovering) void hangUp();
  });

  socket.on('call:declined', ({ callid, uid }) => {
    if (!isMine(callid) || uid === auth.uid.value) return;
    const name = chat.state.users[uid]?.nickname;
    showNotice(name ? text('call.declinedBy', { name }) : 'call.declinedBySomeone');
  });

  socket.on('call:ended', ({ callid, reason, durationMs }) => {
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
    if (!isMine(callid)) return;
    state.speaker = uid;
    speakerOnScreen(uid);
  });
  socket.on('call:speakers', ({ callid, uids }) => {
    if (isMine(callid)) state.audioSpeakers = uids;
  });
  socket.on('call:reconnectMedia', ({ callid }) => {
    if (isMine(callid)) void recover('media');
  });

  socket.on('disconnect', () => {
    if (connection.socket !== socket) return;
    if (!state.call || !inCall()) return;
    // the server drops our media with the socket: get back in once it reconnects
    state.socketDown = true;
    settle();
  });
}
