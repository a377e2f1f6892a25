/** Call requests over the chat socket, and what their refusals mean to the user. */
import type { CallClientEvents } from '@protocol';
import { errorText } from '@/i18n/errorText';
import type { LocalText } from '@/i18n/localText';
import type { CallPayload, CallRequest } from '@/lib/callMedia';
import { RequestError, socketRequest } from '@/lib/socketRequest';
import { connection } from './connection';

export const callRequest: CallRequest = <E extends keyof CallClientEvents>(event: E, payload: CallPayload<E>) =>
  socketRequest(connection.socket, event, payload);

/** A call request's failure, kept as a catalogue key where the catalogue has words for it. */
export function callErrorText(error: unknown): LocalText {
  if (error instanceof RequestError) {
    if (error.code === 'media_unavailable') return { key: 'call.error.unavailable' };
    if (error.code === 'call_not_found') return { key: 'call.error.ended' };
    if (error.code === 'not_member') return { key: 'call.error.notMember' };
  }
  if (error instanceof Error && error.name === 'UnsupportedError') return { key: 'call.error.unsupported' };
  return errorText(error);
}
