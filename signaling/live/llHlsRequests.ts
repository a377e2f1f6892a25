import path from 'node:path';
import type { Response } from 'express';
import { InvalidRequestError, UnavailableError } from '../errors/DomainError';
import { waitForFile, waitForPart } from './LlHlsReload';

/** The files of a LL folder: its playlist, init segments, parts and segments (LlHlsPackager's names). */
export function llHlsFile(file: string): boolean {
  return file === 'index.m3u8' || /^init-[0-9a-z]{1,16}\.mp4$/.test(file) || /^seg\d{1,8}\.m4s$/.test(file) || /^[0-9a-z]{1,16}-\d{1,8}\.m4s$/.test(file);
}

const HINTED_PART = /^[0-9a-z]{1,16}-\d{1,8}\.m4s$/;
/** How long a hinted part (EXT-X-PRELOAD-HINT) is waited for: a few part targets. */
const HINT_WAIT_MS = 3000;

/**
 * Holds a LL request until what it asks for exists: the playlist with `_HLS_msn` (and `_HLS_part`)
 * until it lists that part (400 when it is far ahead or the query is malformed, 503 after three
 * target durations), a part not written yet (a preload hint) until its file is there. The request
 * stops waiting when the player goes away.
 */
export async function waitForLlHls(file: string, query: Record<string, unknown>, res: Response): Promise<void> {
  const gone = new AbortController();
  res.once('close', () => gone.abort());
  const name = path.basename(file);
  if (name === 'index.m3u8') {
    const msn = query._HLS_msn;
    const part = query._HLS_part;
    if (msn === undefined && part === undefined) return;
    if (typeof msn !== 'string' || !/^\d{1,9}$/.test(msn) || (part !== undefined && (typeof part !== 'string' || !/^\d{1,6}$/.test(part)))) {
      throw new InvalidRequestError('_HLS_msn (and _HLS_part) must be whole numbers, _HLS_part only with _HLS_msn');
    }
    const answer = await waitForPart(file, Number(msn), part === undefined ? undefined : Number(part), gone.signal);
    if (answer === 'ahead') throw new InvalidRequestError('_HLS_msn is too far ahead of the playlist');
    if (answer === 'timeout') throw new UnavailableError('the part asked for did not come in time');
    return;
  }
  if (HINTED_PART.test(name)) await waitForFile(file, HINT_WAIT_MS, gone.signal);
}
