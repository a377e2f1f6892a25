/**
 * The calls going on in the user's conversations (for the chat's "join" banners) and the incoming
 * ring: kept from call:ring / call:update / call:ended and refreshed from call:list on every
 * (re)connect.
 */
import type { CallInfo } from '@protocol';
import { auth } from './auth';
import { CallPhase, callState, inCall } from './callState';
import { callRequest } from './callSignaling';
import { chat } from './chat';
import type { ChatSocket } from './connection';

export function rememberActive(call: CallInfo): void {
  if (call.state === 'ended') delete callState.active[call.sessionid];
  else callState.active[call.sessionid] = call;
  for (const p of call.participants) chat.rememberUser(p.uid, p.nickname);
}

export function dismissIncoming(): void {
  callState.incoming = null;
  if (callState.phase === CallPhase.RingingIn) callState.phase = CallPhase.Idle;
}

/** Private calls: "decline" (the caller is told); groups: "ignore" (only the ringing here stops). */
export async function declineIncoming(): Promise<void> {
  const incoming = callState.incoming;
  if (!incoming) return;
  dismissIncoming();
  await callRequest('call:decline', { callid: incoming.call.callid }).catch(() => undefined);
}

/** Takes the server's list of calls after a (re)connect: what ended meanwhile goes. */
export function refreshActive(calls: CallInfo[]): void {
  const seen = new Set<string>();
  for (const call of calls) {
    rememberActive(call);
    seen.add(call.sessionid);
  }
  for (const sessionid of Object.keys(callState.active)) if (!seen.has(sessionid)) delete callState.active[sessionid];
  if (callState.incoming && !calls.some((c) => c.callid === callState.incoming!.call.callid)) dismissIncoming();
}

export function wireActiveCalls(socket: ChatSocket): void {
  socket.on('call:ring', ({ call, from }) => {
    rememberActive(call);
    chat.rememberUser(from.uid, from.nickname);
    if (from.uid === auth.uid.value || call.participants.some((p) => p.uid === auth.uid.value)) return;
    if (inCall()) return; // busy: the chat's banner still offers to join
    callState.incoming = { call, from };
    if (callState.phase === CallPhase.Idle) callState.phase = CallPhase.RingingIn;
  });

  socket.on('call:update', ({ call }) => {
    rememberActive(call);
    if (callState.incoming?.call.callid !== call.callid) return;
    callState.incoming.call = call;
    // answered (here in another tab, or by someone else in the group): stop ringing
    if (call.state !== 'ringing' || call.participants.some((p) => p.uid === auth.uid.value)) dismissIncoming();
  });

  socket.on('call:ended', ({ callid, sessionid }) => {
    const known = callState.active[sessionid];
    if (known?.callid === callid) delete callState.active[sessionid];
    if (callState.incoming?.call.callid === callid) dismissIncoming();
  });
}
