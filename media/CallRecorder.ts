import { EventEmitter } from 'node:events';
import { mkdir, rm, stat } from 'node:fs/promises';
import type { CallRecorderEvents, CallRecorderOptions, RecordingOutput } from './CallRecorderTypes';
import { joinSegments, usableSegments } from './recordingFiles';
import { RecordingSegment } from './RecordingSegment';
import type { Room } from './Room';
import type { ProducerRecord } from './RoomTypes';

/** A changed set of producers must hold this many looks before a new segment starts (joins produce audio, then video). */
const STABLE_LOOKS = 2;
/** Consecutive failed segment starts before the recorder waits longer between tries. */
const FAST_RETRIES = 5;

/**
 * Records a call: taps its producers (on `room.routerWith`) and runs one RecordingSegment for as long
 * as the set of active producers and the room stay the same. When a producer comes, goes, pauses or
 * resumes, when the room is re-created (its worker died) or when ffmpeg crashes, the segment ends
 * and the next one starts: the recording continues after a gap. `stop()` joins the segments into one
 * MP4 (H.264 + AAC).
 */
export class CallRecorder extends EventEmitter<CallRecorderEvents> {
  private readonly segments: RecordingSegment[] = [];
  private current: { segment: RecordingSegment; key: string; room: Room; since: number } | null = null;
  private pending: { key: string; looks: number } | null = null;
  private failures = 0;
  private retryAt = 0;
  private timer: NodeJS.Timeout | null = null;
  private busy: Promise<void> = Promise.resolve();
  private stopped = false;
  private readonly width: number;
  private readonly height: number;
  private readonly fps: number;

  constructor(private readonly options: CallRecorderOptions) {
    super();
    this.width = options.width ?? 960;
    this.height = options.height ?? 540;
    this.fps = options.fps ?? 15;
  }

  /** Starts recording what the call has now (or as soon as it has media). */
  async start(): Promise<void> {
    await mkdir(this.options.workDir, { recursive: true });
    await this.look(true);
    this.timer = setInterval(() => void this.look(false), this.options.pollMs ?? 500);
  }

  /** Looks again at once (a producer came or went, or the media moved). */
  refresh(): void {
    void this.look(true);
  }

  /** Bytes written so far (for storage quotas). */
  async bytes(): Promise<number> {
    const sizes = await Promise.all(this.segments.map((s) => stat(s.file).then((st) => st.size, () => 0)));
    return sizes.reduce((a, b) => a + b, 0);
  }

  /** Ends the recording: the last segment closed, all of them joined into `out`. */
  async stop(out: string): Promise<RecordingOutput> {
    this.halt();
    await this.busy;
    await this.current?.segment.stop();
    this.current = null;
    const files = await usableSegments(this.segments.map((s) => s.file));
    this.log('info', 'joining the recording', { segments: files.length });
    await joinSegments(this.options.ffmpegPath, files, out);
    return { file: out, segments: files.length };
  }

  /** Throws the recording away. */
  async abort(): Promise<void> {
    this.halt();
    await this.busy;
    for (const s of this.segments) s.abort();
    this.current = null;
  }

  /** Removes the working folder (after stop() or abort()). */
  async cleanup(): Promise<void> {
    await rm(this.options.workDir, { recursive: true, force: true }).catch(() => undefined);
  }

  private halt(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** One look at a time. */
  private look(now: boolean): Promise<void> {
    this.busy = this.busy.then(() => this.check(now)).catch((err) => this.log('error', 'recording step failed', { err: (err as Error).message }));
    return this.busy;
  }

  private async check(now: boolean): Promise<void> {
    if (this.stopped) return;
    const room = this.options.room();
    const usable = room && !room.closed ? room : null;
    const producers = usable ? usable.producers().filter((p) => !p.paused) : [];
    const key = producers.map((p) => p.producerId).sort().join(',');
    const current = this.current;
    if (current && current.segment.running && current.room === usable && current.key === key) {
      this.pending = null;
      // A segment that has run a while: earlier failures are forgotten.
      if (Date.now() - current.since > 3000) this.failures = 0;
      return;
    }
    // The media moved or ffmpeg died: this segment is over whatever comes next.
    if (current && (!current.segment.running || current.room !== usable || current.room.closed)) {
      await current.segment.stop();
      this.current = null;
    }
    if (!usable || producers.length === 0) {
      if (this.current) {
        await this.current.segment.stop();
        this.current = null;
      }
      this.pending = null;
      return;
    }
    if (this.current && !now) {
      // Same room, other producers: wait until the set settles.
      this.pending = this.pending?.key === key ? { key, looks: this.pending.looks + 1 } : { key, looks: 1 };
      if (this.pending.looks < STABLE_LOOKS) return;
    }
    if (Date.now() < this.retryAt) return;
    this.pending = null;
    if (this.current) {
      await this.current.segment.stop();
      this.current = null;
    }
    await this.startSegment(usable, producers, key);
  }

  private async startSegment(room: Room, producers: ProducerRecord[], key: string): Promise<void> {
    const index = this.segments.length;
    try {
      const router = await room.routerWith(producers.map((p) => p.producerId));
      const segment = await RecordingSegment.start({
        ffmpegPath: this.options.ffmpegPath,
        workDir: this.options.workDir,
        index,
        router,
        producers,
        width: this.width,
        height: this.height,
        fps: this.fps,
        nice: this.options.nice,
        log: this.options.log,
      });
      this.segments.push(segment);
      const startedAt = Date.now();
      this.current = { segment, key, room, since: startedAt };
      segment.once('exit', ({ code, signal, expected }) => {
        if (expected || this.stopped) return;
        // An ffmpeg that dies at once (bad input, no CPU) is not restarted in a tight loop.
        if (Date.now() - startedAt < 3000) {
          this.failures += 1;
          this.retryAt = Date.now() + Math.min(5000, 500 * this.failures);
        }
        this.log('warn', 'recording ffmpeg ended unexpectedly; continuing in a new segment', { segment: index, code, signal });
        this.emit('crashed', { index, code, signal });
        this.refresh();
      });
      this.log('info', 'recording segment started', { segment: index, videos: segment.videos, audios: segment.audios });
      this.emit('segment', { index, videos: segment.videos, audios: segment.audios });
    } catch (err) {
      // The room closed under us (its worker died) or a port was taken: the next look tries again.
      this.failures += 1;
      this.retryAt = Date.now() + (this.failures > FAST_RETRIES ? 5000 : 0);
      this.log('warn', 'recording segment could not start', { segment: index, err: (err as Error).message, failures: this.failures });
    }
  }

  private log(level: 'info' | 'warn' | 'error', message: string, details?: Record<string, unknown>): void {
    this.options.log?.(level, message, details);
  }
}
