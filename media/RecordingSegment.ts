import type { ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { types } from 'mediasoup';
import { MAX_TILES, segmentFilterGraph } from './CallRecorderLayout';
import type { RecorderLog } from './CallRecorderTypes';
import type { ProducerRecord } from './RoomTypes';
import { RtpTap } from './RtpTap';
import { spawnFfmpeg } from './ffmpegProcess';

const STOP_GRACE_MS = 5000;
/** Keyframe requests after the start: the decoder begins at one, and the first may be lost. */
const KEYFRAME_REQUESTS_MS = [300, 1000, 2000, 4000];

export interface RecordingSegmentOptions {
  ffmpegPath: string;
  workDir: string;
  index: number;
  router: types.Router;
  /** The producers to record (videos beyond MAX_TILES are left out). */
  producers: ProducerRecord[];
  width: number;
  height: number;
  fps: number;
  nice?: number;
  log?: RecorderLog;
}

export type RecordingSegmentEvents = {
  /** ffmpeg ended; `expected` when stop() or abort() asked it to. */
  exit: [event: { code: number | null; signal: string | null; expected: boolean }];
};

/**
 * One stretch of a recording with a fixed set of producers: an RtpTap of them and one ffmpeg that
 * composes them (grid of videos, mixed voices) into an MPEG-TS file, H.264 + AAC at the recording's
 * fixed format. MPEG-TS stays readable when ffmpeg dies, so a crash loses only the last moments.
 */
export class RecordingSegment extends EventEmitter<RecordingSegmentEvents> {
  readonly file: string;
  private child: ChildProcess | null = null;
  private stopping = false;
  private readonly timers: NodeJS.Timeout[] = [];

  private constructor(
    private readonly options: RecordingSegmentOptions,
    private readonly tap: RtpTap,
    readonly videos: number,
    readonly audios: number,
  ) {
    super();
    this.file = path.join(options.workDir, `segment-${String(options.index).padStart(4, '0')}.ts`);
  }

  static async start(options: RecordingSegmentOptions): Promise<RecordingSegment> {
    const videos = options.producers.filter((p) => p.kind === 'video').slice(0, MAX_TILES);
    const audios = options.producers.filter((p) => p.kind === 'audio');
    const ordered = [...videos, ...audios];
    const tap = await RtpTap.create({ router: options.router, producerIds: ordered.map((p) => p.producerId) });
    const segment = new RecordingSegment(options, tap, videos.length, audios.length);
    try {
      await segment.spawn();
      await tap.resume();
    } catch (err) {
      segment.abort();
      throw err;
    }
    for (const ms of KEYFRAME_REQUESTS_MS) segment.timers.push(setTimeout(() => void tap.requestKeyFrame(), ms));
    return segment;
  }

  get running(): boolean {
    return this.child !== null;
  }

  private async spawn(): Promise<void> {
    const o = this.options;
    const sdpName = `segment-${String(o.index).padStart(4, '0')}.sdp`;
    await writeFile(path.join(o.workDir, sdpName), this.tap.sdp());
    const child = spawnFfmpeg(o.ffmpegPath, this.args(sdpName), { cwd: o.workDir, stdout: 'ignore', nice: o.nice });
    this.child = child;
    let partial = '';
    let budget = 20;
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        if (/keyframe|corrupt|missing reference/i.test(line)) void this.tap.requestKeyFrame();
        // ffmpeg repeats itself under packet loss: the first lines are enough.
        if (line.trim() && budget-- > 0) o.log?.('warn', 'ffmpeg (recording)', { segment: o.index, line: line.trim() });
      }
    });
    const exited = (code: number | null, signal: string | null) => {
      if (this.child !== child) return;
      this.child = null;
      this.cleanup();
      this.emit('exit', { code, signal, expected: this.stopping });
    };
    child.once('error', (err) => {
      o.log?.('error', 'ffmpeg could not start (recording)', { err: err.message });
      exited(null, null);
    });
    child.once('exit', exited);
  }

  private args(sdpName: string): string[] {
    const o = this.options;
    const inputs = [
      '-hide_banner', '-nostats', '-loglevel', 'error',
      '-protocol_whitelist', 'file,udp,rtp',
      '-buffer_size', String(4 * 1024 * 1024),
      '-reorder_queue_size', '128',
      '-fflags', '+genpts+discardcorrupt',
      '-analyzeduration', '2000000', '-probesize', '2000000',
      '-i', sdpName,
    ];
    // Stand-ins read at their own pace (-re), so that the RTP input sets the tempo.
    let next = 1;
    const blankVideoInput = this.videos === 0 ? next++ : -1;
    if (blankVideoInput > 0) inputs.push('-re', '-f', 'lavfi', '-i', `color=c=black:s=${o.width}x${o.height}:r=${o.fps}`);
    const silenceInput = this.audios === 0 ? next++ : -1;
    if (silenceInput > 0) inputs.push('-re', '-f', 'lavfi', '-i', 'anullsrc=r=48000:cl=stereo');
    const graph = segmentFilterGraph({
      videos: Array.from({ length: this.videos }, (_, i) => i),
      audios: Array.from({ length: this.audios }, (_, i) => this.videos + i),
      width: o.width,
      height: o.height,
      fps: o.fps,
      blankVideoInput,
      silenceInput,
    });
    return [
      ...inputs,
      '-filter_complex', graph,
      '-map', '[v]', '-map', '[a]',
      // No lookahead and packets written as they come: a crash (SIGKILL) loses only the last moments.
      '-c:v', 'libx264', '-preset', 'veryfast', '-tune', 'zerolatency', '-profile:v', 'main', '-pix_fmt', 'yuv420p',
      '-r', String(o.fps), '-g', String(o.fps * 2), '-threads', '2',
      '-c:a', 'aac', '-b:a', '128k', '-ar', '48000', '-ac', '2',
      '-max_interleave_delta', '2000000', '-flush_packets', '1',
      '-f', 'mpegts', path.basename(this.file),
    ];
  }

  /** Ends ffmpeg gracefully (the file is complete), killing it if it does not end in time. */
  async stop(): Promise<void> {
    this.stopping = true;
    const child = this.child;
    if (!child) {
      this.cleanup();
      return;
    }
    const exited = new Promise<void>((resolve) => this.once('exit', () => resolve()));
    child.stdin?.end('q');
    // ffmpeg reads `q` between packets: when the media already went away (the call ended, the
    // worker died) it sits in its RTP read, which only a second SIGINT interrupts; it then still
    // finishes the file. SIGKILL when even that does not end it.
    const timers = [
      setTimeout(() => child.kill('SIGINT'), 300),
      setTimeout(() => child.kill('SIGINT'), 600),
      setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS),
    ];
    await exited;
    for (const t of timers) clearTimeout(t);
  }

  /** Kills ffmpeg at once (the recording is thrown away, or start failed). */
  abort(): void {
    this.stopping = true;
    this.child?.kill('SIGKILL');
    this.cleanup();
  }

  private cleanup(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.length = 0;
    this.tap.close();
  }
}
