/**
 * A failure as text in the user's language: the server answers error codes (PROTOCOL.md), and
 * the codes the catalogue knows (`errors.<code>`) are said in its words; others keep the server's
 * own message. `errorText` is the kept form (for stores), `describeError` the words now.
 */
import { ErrorCode } from '@protocol';
import { RequestError } from '@/lib/requestError';
import { i18n } from './index';
import { say, text, type LocalText } from './localText';

/**
 * Refusals whose server message says what exactly was wrong (a limit, a field): English shows those
 * words (`{detail}`), other languages a sentence of their own.
 */
const detailed = new Set<string>([ErrorCode.InvalidInput, ErrorCode.InvalidJson, ErrorCode.TooLarge, ErrorCode.InvalidFile, ErrorCode.InvalidImage]);

/** The kept form: a catalogue key (with the server's words where they tell more), or words as they are. */
export function errorText(error: unknown): LocalText {
  if (error instanceof RequestError) {
    const key = `errors.${error.code}`;
    if (i18n.global.te(key)) return detailed.has(error.code) ? text(key, { detail: error.message }) : text(key);
    // the people refusals (issue 14) live in their own block of the catalogue
    if (i18n.global.te(`people.errors.${error.code}`)) return text(`people.errors.${error.code}`);
    // no `{ error }` body, the status alone (requestError.ts names these codes http_<status>)
    if (/^http_\d+$/.test(error.code)) return text('errors.http', { status: error.status });
    return error.message;
  }
  if (error instanceof DOMException && error.name === 'AbortError') return text('errors.cancelled');
  return error instanceof Error ? error.message : String(error);
}

export function describeError(error: unknown): string {
  return say(errorText(error));
}
