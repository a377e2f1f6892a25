/** Call requests over the chat socket, and what their refusals mean to the user. */
import type { CallClientEvents } from '@protocol';
import type { CallPayload, CallRequest } from '@/lib/callMedia';
import { RequestError, socketRequest } from '@/lib/socketRequest';
import { connection } from './connection';

export const callRequest: CallRequest = <E extends keyof CallClientEvents>(event: E, payload: CallPayload<E>) =>
  socketRequest(connection.socket, event, payload);

export function callErrorText(error: unknown): string {
  if (error instanceof RequestError) {
    if (error.code === 'media_unavailable') return 'Calls are not available right now. Please try again.';
    if (error.code === 'call_not_found') return 'This call has ended.';
    if (error.code === 'not_member') return 'You are not a member of this conversation.';
    return error.message;
  }
  if (error instanceof Error && error.name === 'UnsupportedError') return 'This browser cannot make calls.';
  return error instanceof Error ? error.message : String(error);
}
