/**
 * Call recording (issue 15) as the call view sees it: whether the call is being recorded (kept on
 * the call's CallInfo, so late joiners and `call:recording` agree), and the record / stop requests.
 * Ends and refusals are told through the call's notice line.
 */
import { reactive } from 'vue';
import type { CallRecordingEvent, CallRecordingInfo } from '@protocol';
import { errorText } from '@/i18n/errorText';
import { text, type LocalText } from '@/i18n/localText';
import { RequestError } from '@/lib/socketRequest';
import { auth } from './auth';
import { callRequest } from './callSignaling';
import { callState, showNotice } from './callState';
import type { ChatSocket } from './connection';

export const recordingState = reactive({
  /** A start or stop request is on its way. */
  busy: false,
});

/** The recording of the call this browser is in, if one runs. */
export function currentRecording(): CallRecordingInfo | null {
  return callState.call?.recording ?? null;
}

function refusal(error: unknown): LocalText {
  if (error instanceof RequestError) {
    if (error.code === 'already_recording') return { key: 'callRecording.error.already' };
    if (error.code === 'not_recording') return { key: 'callRecording.error.notRecording' };
    if (error.code === 'too_many_recordings') return { key: 'callRecording.error.tooMany' };
    if (error.code === 'quota_exceeded') return { key: 'callRecording.error.quota' };
    if (error.code === 'not_member') return { key: 'callRecording.error.notParticipant' };
  }
  return errorText(error);
}

async function send(event: 'call:record:start' | 'call:record:stop'): Promise<void> {
  const callid = callState.call?.callid;
  if (!callid || recordingState.busy) return;
  recordingState.busy = true;
  try {
    await callRequest(event, { callid });
  } catch (error) {
    showNotice(refusal(error));
  } finally {
    recordingState.busy = false;
  }
}

export const startRecording = (): Promise<void> => send('call:record:start');
export const stopRecording = (): Promise<void> => send('call:record:stop');

/** Why a recording ended, when that is news to the people in the call. */
function endNote(event: CallRecordingEvent): LocalText | null {
  if (event.error?.code === 'quota_exceeded') {
    return event.by?.uid === auth.uid.value ? text('callRecording.ended.quotaYou') : text('callRecording.ended.quota', { name: event.by?.nickname ?? '' });
  }
  if (event.reason === 'failed') return text('callRecording.ended.failed');
  if (event.reason === 'max_length') return text('callRecording.ended.maxLength');
  if (event.reason === 'stopped') return text('callRecording.ended.saving');
  return null;
}

function apply(event: CallRecordingEvent): void {
  const info = event.recording && event.by && event.startedAt ? { by: event.by, startedAt: event.startedAt } : undefined;
  const call = callState.call;
  if (call?.callid === event.callid) {
    // a late failure (the file could not be stored) must not end a newer recording
    if (info || !call.recording || call.recording.startedAt === event.startedAt) call.recording = info;
    if (!event.recording) {
      const note = endNote(event);
      if (note) showNotice(note, 6000);
    }
  }
  for (const active of Object.values(callState.active)) if (active.callid === event.callid) active.recording = info;
}

export function wireCallRecording(socket: ChatSocket): void {
  socket.on('call:recording', apply);
}
