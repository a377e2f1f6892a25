import type { CallRecorder } from '../../../media';
import type { CallRecordingInfo } from '../../protocol/callRecording';
import type { RecordingAuthor } from './RecordingMessages';

/** One running recording of a call: its recorder, who started it, and its timers. */
export class CallRecording {
  readonly timers: NodeJS.Timeout[] = [];

  constructor(
    readonly callid: string,
    readonly by: RecordingAuthor,
    readonly recorder: CallRecorder,
    readonly workDir: string,
  ) {}

  info(): CallRecordingInfo {
    return { by: { uid: this.by.uid, nickname: this.by.nickname }, startedAt: this.by.startedAt };
  }

  clearTimers(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.length = 0;
  }
}
