/**
 * Who is on screen in a large call (S28): the grid keeps `size` slots for the most recent active
 * speakers, in a stable order. A speaker who is not on the grid takes the slot of the one who spoke
 * least recently; nobody else moves (no reshuffle). Everyone else is off the grid (a strip whose
 * tiles show only when scrolled into view). Pure: the call store keeps the state.
 */
import type { CallScreenInfo } from '@protocol';

/** The limits until the server's join answer says its own (CALL_ON_SCREEN...). */
export const DEFAULT_SCREEN: Readonly<CallScreenInfo> = { onScreen: 9, audioAllUpTo: 20, audioLoudest: 6 };

export interface CallStage {
  /** The uids in the grid's slots, in slot order. */
  slots: string[];
  /** Who spoke, newest first (call:activeSpeaker). */
  recency: string[];
}

export const emptyStage = (): CallStage => ({ slots: [], recency: [] });

/**
 * The stage for the participants now in the call (join order, without oneself): those who left
 * give up their slot, free slots go to recent speakers first, then to the earliest joiners.
 */
export function arrangeStage(stage: CallStage, participants: readonly string[], size: number): CallStage {
  const present = new Set(participants);
  const recency = stage.recency.filter((uid) => present.has(uid));
  const slots = stage.slots.filter((uid) => present.has(uid)).slice(0, Math.max(0, size));
  const onGrid = new Set(slots);
  for (const uid of [...recency, ...participants]) {
    if (slots.length >= size) break;
    if (onGrid.has(uid)) continue;
    slots.push(uid);
    onGrid.add(uid);
  }
  return { slots, recency };
}

/** Someone became the active speaker: onto the grid in the least recent speaker's slot. */
export function speakerChanged(stage: CallStage, speaker: string | null, participants: readonly string[], size: number): CallStage {
  const arranged = arrangeStage(stage, participants, size);
  if (!speaker || !participants.includes(speaker)) return arranged;
  const recency = [speaker, ...arranged.recency.filter((uid) => uid !== speaker)];
  const slots = [...arranged.slots];
  if (!slots.includes(speaker) && size > 0) {
    if (slots.length < size) slots.push(speaker);
    else slots[leastRecentSlot(slots, recency)] = speaker;
  }
  return { slots, recency };
}

/** The slot whose occupant spoke least recently (never having spoken counts as least recent). */
function leastRecentSlot(slots: readonly string[], recency: readonly string[]): number {
  let worst = 0;
  let worstRank = -1;
  slots.forEach((uid, i) => {
    const rank = recency.includes(uid) ? recency.indexOf(uid) : Number.MAX_SAFE_INTEGER;
    // ties (several who never spoke): the later slot goes, so the first slots stay put
    if (rank >= worstRank) {
      worst = i;
      worstRank = rank;
    }
  });
  return worst;
}

/** Those not on the grid, in join order. */
export function offStage(stage: CallStage, participants: readonly string[]): string[] {
  const onGrid = new Set(stage.slots);
  return participants.filter((uid) => !onGrid.has(uid));
}
