import { access, readFile } from 'node:fs/promises';

/** Where a LL media playlist stands: complete segments, parts of the one in progress, target duration. */
export interface LlPlaylistState {
  /** Media sequence number of the segment in progress (that of the first segment plus the complete ones). */
  msn: number;
  /** Parts listed of the segment in progress. */
  parts: number;
  targetDuration: number;
  ended: boolean;
}

export type ReloadAnswer = 'ready' | 'ahead' | 'timeout' | 'missing';

const POLL_MS = 25;

export function playlistState(text: string): LlPlaylistState {
  const lines = text.split('\n');
  let first = 0;
  let complete = 0;
  let parts = 0;
  let targetDuration = 1;
  for (const line of lines) {
    if (line.startsWith('#EXT-X-MEDIA-SEQUENCE:')) first = Number(line.slice(22));
    else if (line.startsWith('#EXT-X-TARGETDURATION:')) targetDuration = Number(line.slice(22));
    else if (line.startsWith('#EXTINF:')) {
      complete += 1;
      parts = 0;
    } else if (line.startsWith('#EXT-X-PART:')) parts += 1;
  }
  return { msn: first + complete, parts, targetDuration, ended: text.includes('#EXT-X-ENDLIST') };
}

/**
 * Blocking playlist reload (RFC 8216bis 6.2.5.2): whether the playlist holds segment `msn` (and,
 * given `part`, that part of it) yet. An `msn` more than two past the last complete segment is
 * `ahead` (answered 400); an ended playlist holds everything it ever will.
 */
export function reloadReady(state: LlPlaylistState, msn: number, part: number | undefined): 'ready' | 'ahead' | 'wait' {
  if (state.ended) return 'ready';
  if (msn > state.msn + 1) return 'ahead';
  if (msn < state.msn) return 'ready';
  if (msn === state.msn && part !== undefined && part < state.parts) return 'ready';
  return 'wait';
}

/**
 * Waits until the playlist file holds the requested segment / part, reading it every few ms (the
 * packager may run on another node: the shared folder is the only signal), at most three target
 * durations (the spec's bound).
 */
export async function waitForPart(file: string, msn: number, part: number | undefined, signal?: AbortSignal): Promise<ReloadAnswer> {
  let deadline: number | null = null;
  for (;;) {
    const text = await readFile(file, 'utf8').catch(() => null);
    if (text === null) return 'missing';
    const state = playlistState(text);
    deadline ??= Date.now() + 3 * state.targetDuration * 1000;
    const ready = reloadReady(state, msn, part);
    if (ready !== 'wait') return ready;
    if (Date.now() >= deadline || signal?.aborted) return 'timeout';
    await sleep(POLL_MS);
  }
}

/** Waits for a hinted part's file (EXT-X-PRELOAD-HINT: players ask for it before it is written). */
export async function waitForFile(file: string, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await access(file).then(() => true, () => false)) return true;
    if (Date.now() >= deadline || signal?.aborted) return false;
    await sleep(POLL_MS);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
