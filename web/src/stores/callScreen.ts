/**
 * What of a large call is on screen (S28): the grid's stage of recent active speakers
 * (lib/callStage.ts) and which video consumers flow, as their tiles show or hide. The limits come
 * from the server's join answer (CALL_ON_SCREEN), 9 on screen by default.
 */
import type { JoinResult } from '@protocol';
import { arrangeStage, DEFAULT_SCREEN, emptyStage, speakerChanged } from '@/lib/callStage';
import type { CallMedia } from '@/lib/callMedia';
import { auth } from './auth';
import { callState as state } from './callState';

/** The other participants, in join order. */
function others(): string[] {
  const participants = [...(state.call?.participants ?? [])].sort((a, b) => a.joinedAt - b.joinedAt);
  return participants.map((p) => p.uid).filter((uid) => uid !== auth.uid.value);
}

/** The call's limits and recent speakers from a join answer. */
export function screenFromJoin(joined: JoinResult): void {
  state.screen = joined.screen ?? { ...DEFAULT_SCREEN };
  state.audioSpeakers = joined.speakers ?? [];
  arrangeOnScreen();
  // call:activeSpeaker only tells changes: the join answer says who spoke before we came
  for (const uid of [...state.audioSpeakers].reverse()) speakerOnScreen(uid);
  state.speaker ??= state.audioSpeakers[0] ?? null;
}

/** Participants came or went: their slots on the grid. */
export function arrangeOnScreen(): void {
  state.stage = arrangeStage(state.stage, others(), state.screen.onScreen);
}

/** An active speaker: onto the grid, in the least recent speaker's place. */
export function speakerOnScreen(uid: string | null): void {
  if (uid === auth.uid.value) return;
  state.stage = speakerChanged(state.stage, uid, others(), state.screen.onScreen);
}

export function resetScreen(): void {
  state.stage = emptyStage();
  state.audioSpeakers = [];
}

/** A tile showing a consumer's video came into view or left it. */
export function tileShown(media: CallMedia | null, consumerId: string, shown: boolean): void {
  media?.setFlowing(consumerId, shown).catch((error: unknown) => console.warn('[call] pause/resume failed', String(error)));
}
