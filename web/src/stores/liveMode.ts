/**
 * The viewer's chosen live playing mode (real time, LL-HLS, HLS), kept for the browser session
 * (sessionStorage): every stream opened in this tab tries it first. null: the best one the stream
 * offers.
 */
import { ref } from 'vue';
import { LIVE_MODES, type LiveMode } from '@/lib/liveModeTypes';

const KEY = 'cookim.liveMode';

function read(): LiveMode | null {
  try {
    const value = sessionStorage.getItem(KEY);
    return LIVE_MODES.find((m) => m === value) ?? null;
  } catch {
    return null;
  }
}

const chosen = ref<LiveMode | null>(read());

function choose(mode: LiveMode | null): void {
  chosen.value = mode;
  try {
    if (mode) sessionStorage.setItem(KEY, mode);
    else sessionStorage.removeItem(KEY);
  } catch {
    /* private mode: the choice lasts as long as the page */
  }
}

export const liveMode = { chosen, choose };
