import { execFile } from 'node:child_process';
import path from 'node:path';
import { CallRecorder, posterFrame } from '../../../media';
import { DomainError, TooLargeError } from '../../errors/DomainError';
import { CallRecordingEnd, type CallRecordingEvent, type CallRecordStartResult } from '../../protocol/callRecording';
import { ErrorCode } from '../../protocol/errors';
import { userRoom } from '../../socket/Fanout';
import type { Call } from '../Call';
import type { CallDeps } from '../CallDeps';
import { CallNotMemberError, MediaUnavailableError } from '../callErrors';
import type { CallRequester } from '../CallTypes';
import { CallRecording } from './CallRecording';
import { recordingLimits, type RecordingLimits } from './recordingConfig';
import type { RecordingDeps } from './RecordingDeps';
import { AlreadyRecordingError, NotRecordingError, TooManyRecordingsError } from './recordingErrors';
import { RecordingMessages } from './RecordingMessages';

const ok = { ok: true } as const;
/** How often a running recording's size is held against its author's storage quota. */
const QUOTA_CHECK_MS = 5000;

/**
 * Call recordings of this process (issue 15), run where the call's media is (the call's owner):
 * participants start and stop them, one at a time per call and CALL_RECORDINGS_MAX at once here;
 * the call's members hear `call:recording`; the finished MP4 is posted by whoever started it.
 */
export class CallRecordings {
  private readonly running = new Map<string, CallRecording>();
  /** Starts checked but not running yet: they count against the limits too. */
  private readonly starting = new Set<string>();
  private readonly finishing = new Set<Promise<void>>();
  private readonly limits: RecordingLimits;
  private readonly messages: RecordingMessages | null;
  private ffmpegRuns: Promise<boolean> | null = null;

  constructor(
    private readonly deps: CallDeps,
    private readonly files: RecordingDeps | undefined,
  ) {
    this.limits = recordingLimits();
    this.messages = files ? new RecordingMessages(files) : null;
  }

  async start(call: Call, requester: CallRequester): Promise<CallRecordStartResult> {
    const participant = call.participants.get(requester.uid);
    if (!participant) throw new CallNotMemberError('only the call\'s participants may record it');
    if (this.running.has(call.callid) || this.starting.has(call.callid)) throw new AlreadyRecordingError();
    if (this.running.size + this.starting.size >= this.limits.maxConcurrent) throw new TooManyRecordingsError(this.limits.maxConcurrent);
    const files = this.files;
    const messages = this.messages;
    if (!files || !messages) throw new MediaUnavailableError('recordings are not available on this server');
    this.starting.add(call.callid);
    try {
      if (!(await this.canRunFfmpeg(files))) throw new MediaUnavailableError('recordings need ffmpeg on this server (FFMPEG_PATH)');
      await this.mustHaveRoom(files, requester.uid, 0);
      if (call.state === 'ended') throw new CallNotMemberError('the call has ended');
      const by = { uid: requester.uid, nickname: participant.nickname, startedAt: Date.now() };
      const workDir = path.join(files.config.dataDir, 'recordings', `${call.callid}-${by.startedAt}`);
      const log = this.deps.logger.child({ callid: call.callid, recording: by.startedAt });
      const recorder = new CallRecorder({
        ffmpegPath: files.config.ffmpegPath,
        workDir,
        room: () => call.room,
        nice: 5,
        log: (level, message, details) => log[level](details ?? {}, message),
      });
      await recorder.start();
      const recording = new CallRecording(call.callid, by, recorder, workDir);
      this.running.set(call.callid, recording);
      call.recording = recording.info();
      recording.timers.push(setTimeout(() => void this.finish(call, CallRecordingEnd.MaxLength), this.limits.maxSeconds * 1000));
      recording.timers.push(setInterval(() => void this.checkQuota(call, recording), QUOTA_CHECK_MS));
      this.tell(call, { callid: call.callid, recording: true, ...recording.info() });
      log.info({ uid: by.uid }, 'call recording started');
      await messages.announceStart(call, by).catch((err) => log.warn({ err }, 'posting the recording message failed'));
      return { callid: call.callid, recording: true, startedAt: by.startedAt };
    } finally {
      this.starting.delete(call.callid);
    }
  }

  async stop(call: Call, requester: CallRequester): Promise<typeof ok> {
    if (!call.participants.has(requester.uid)) throw new CallNotMemberError('only the call\'s participants may stop its recording');
    if (!this.running.has(call.callid)) throw new NotRecordingError();
    this.finish(call, CallRecordingEnd.Stopped);
    return ok;
  }

  /** The call ends (or its last participant left): its recording is finished and posted. */
  callEnded(call: Call): void {
    if (this.running.has(call.callid)) this.finish(call, CallRecordingEnd.CallEnded);
  }

  /** The call's media was re-created (its worker died): the recording continues on the new room. */
  mediaMoved(call: Call): void {
    this.running.get(call.callid)?.recorder.refresh();
  }

  /** Shutdown: recordings that are being finished are stored first. */
  async settle(): Promise<void> {
    await Promise.all([...this.finishing]);
  }

  /** Ends the call's recording once; the MP4 is made and posted in the background. */
  private finish(call: Call, reason: CallRecordingEnd, error?: DomainError): void {
    const recording = this.running.get(call.callid);
    if (!recording) return;
    this.running.delete(call.callid);
    recording.clearTimers();
    if (call.recording?.startedAt === recording.by.startedAt) call.recording = undefined;
    this.tell(call, {
      callid: call.callid,
      recording: false,
      ...recording.info(),
      reason,
      ...(error ? { error: { code: error.code, message: error.message } } : {}),
    });
    const done = (error ? this.discard(recording) : this.publish(call, recording)).finally(() => this.finishing.delete(done));
    this.finishing.add(done);
  }

  private async publish(call: Call, recording: CallRecording): Promise<void> {
    const files = this.files!;
    const log = this.deps.logger.child({ callid: call.callid, recording: recording.by.startedAt });
    const mp4 = files.files.tempPath('.mp4');
    const poster = path.join(recording.workDir, 'poster.png');
    try {
      const out = await recording.recorder.stop(mp4);
      const still = await posterFrame(files.config.ffmpegPath, mp4, poster).then(() => poster, () => null);
      const msgid = await this.messages!.postVideo(call, recording.by, mp4, still);
      log.info({ msgid, segments: out.segments, seconds: Math.round((Date.now() - recording.by.startedAt) / 1000) }, 'call recording posted');
    } catch (err) {
      log.warn({ err }, 'the call recording could not be posted');
      await files.files.remove(mp4).catch(() => undefined);
      const code = err instanceof DomainError ? err.code : 'recording_failed';
      const message = err instanceof Error ? err.message : String(err);
      this.tell(call, { callid: call.callid, recording: false, ...recording.info(), reason: CallRecordingEnd.Failed, error: { code, message } });
    } finally {
      await recording.recorder.cleanup();
    }
  }

  private async discard(recording: CallRecording): Promise<void> {
    await recording.recorder.abort();
    await recording.recorder.cleanup();
  }

  /** The author's storage holds what was recorded so far, else the recording ends unkept. */
  private async checkQuota(call: Call, recording: CallRecording): Promise<void> {
    if (this.running.get(call.callid) !== recording || !this.files) return;
    try {
      await this.mustHaveRoom(this.files, recording.by.uid, await recording.recorder.bytes());
    } catch (err) {
      if (err instanceof DomainError && this.running.get(call.callid) === recording) this.finish(call, CallRecordingEnd.Failed, err);
    }
  }

  private async mustHaveRoom(files: RecordingDeps, uid: string, bytes: number): Promise<void> {
    const quota = files.config.userStorageQuota;
    if (quota <= 0) return;
    const used = await files.files.storedBytes(uid);
    if (used + bytes >= quota) {
      throw new TooLargeError(`your file storage is full (${used} of ${quota} bytes used): the recording cannot be kept`, ErrorCode.QuotaExceeded);
    }
  }

  private canRunFfmpeg(files: RecordingDeps): Promise<boolean> {
    this.ffmpegRuns ??= new Promise((resolve) => {
      execFile(files.config.ffmpegPath, ['-hide_banner', '-version'], { timeout: 10_000 }, (err) => resolve(!err));
    });
    return this.ffmpegRuns;
  }

  private tell(call: Call, event: CallRecordingEvent): void {
    this.deps.io.to([...call.memberUids].map(userRoom)).emit('call:recording', event);
  }
}
