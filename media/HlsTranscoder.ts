import type { ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { HlsTranscoderEvents, HlsTranscoderOptions } from './HlsTranscoderTypes';
import { killOrphanFfmpeg, recordFfmpegPid } from './ffmpegPidFile';
import { spawnFfmpeg } from './ffmpegProcess';
import { stopFfmpeg } from './stopFfmpeg';

const MASTER = 'master.m3u8';
const MEDIA_PLAYLIST = 'index.m3u8';
const STOP_GRACE_MS = 2000;

/**
 * ffmpeg reading a stream's RTP (an SDP file) and writing H.264 + AAC HLS: one EVENT playlist per
 * rendition (every segment kept, so the ended stream is its own replay) and a master playlist with
 * each rendition's bandwidth. WebRTC video is VP8 or H.264 with keyframes only on request, so the
 * video is re-encoded (short fixed GOPs make every segment start with a keyframe), except that an
 * H.264 source at the top rendition's size may be copied into it (`copyTopVideo`: the pipeline
 * then asks the encoder for a keyframe every segment). Posters are made apart (HlsPosters) from the
 * segments: a branch of their own here stalled a restarted ffmpeg.
 *
 * Supervised: a crash starts ffmpeg again on the same input (`append_list` continues the playlists
 * after a discontinuity); `stop()` ends it gracefully so ffmpeg writes `#EXT-X-ENDLIST`, and writes
 * it itself when ffmpeg could not.
 */
export class HlsTranscoder extends EventEmitter<HlsTranscoderEvents> {
  private child: ChildProcess | null = null;
  private stopping = false;
  private restarts = 0;
  private segments = 0;
  private producing = false;
  private poll: NodeJS.Timeout | null = null;
  private lastLogAt = 0;
  private logBudget = 0;
  private readonly sdpPath: string;

  constructor(private readonly options: HlsTranscoderOptions) {
    super();
    this.sdpPath = path.join(options.outDir, 'input.sdp');
  }

  async start(): Promise<void> {
    await mkdir(this.options.outDir, { recursive: true });
    await Promise.all(this.options.renditions.map((r) => mkdir(path.join(this.options.outDir, r.name), { recursive: true })));
    await writeFile(this.sdpPath, this.options.sdp);
    // Continuing playlists (the media moved): playable once a segment of this run is listed.
    this.segments = await this.listedSegments();
    this.spawn();
    this.poll = setInterval(() => void this.checkPlaylist(), 200);
  }

  private spawn(): void {
    const child = spawnFfmpeg(this.options.ffmpegPath, this.args(), { cwd: this.options.outDir, stdout: 'ignore', nice: this.options.nice });
    this.child = child;
    // Recorded so a process that outlives its node (killed with SIGKILL) can be found and stopped.
    recordFfmpegPid(this.options.outDir, child.pid);
    let partial = '';
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) this.onLogLine(line.trim());
    });
    // A binary that cannot start (missing, not executable) emits 'error' and no 'exit'.
    child.once('error', (err) => {
      this.log('error', 'ffmpeg could not start', { err: err.message });
      this.onExit(child, null, null);
    });
    child.once('exit', (code, signal) => this.onExit(child, code, signal));
  }

  private onLogLine(line: string): void {
    if (!line) return;
    if (/keyframe|corrupt|missing reference|Invalid data/i.test(line)) this.emit('keyframeNeeded');
    // ffmpeg repeats itself under packet loss: at most 20 lines per 10 s reach the node's log.
    const now = Date.now();
    if (now - this.lastLogAt > 10_000) {
      this.lastLogAt = now;
      this.logBudget = 20;
    }
    if (this.logBudget-- > 0) this.log('warn', 'ffmpeg', { line });
  }

  private onExit(child: ChildProcess, code: number | null, signal: string | null): void {
    if (this.child !== child) return;
    this.child = null;
    if (this.stopping) return;
    this.restarts += 1;
    const max = this.options.maxRestarts ?? 5;
    if (this.restarts > max) {
      this.log('error', 'ffmpeg keeps failing; the stream has no HLS output', { code, signal });
      this.emit('failed', new Error(`ffmpeg exited ${code ?? signal} ${this.restarts} times`));
      return;
    }
    this.log('warn', 'ffmpeg exited; starting it again', { code, signal, attempt: this.restarts });
    setTimeout(() => {
      if (this.stopping) return;
      this.spawn();
      this.emit('restarted', { attempt: this.restarts, code, signal });
    }, Math.min(2000, 200 * this.restarts));
  }

  private args(): string[] {
    const o = this.options;
    const seg = o.segmentSeconds;
    const threads = String(o.threads ?? 1);
    const input = [
      '-hide_banner', '-nostats', '-loglevel', 'error',
      '-protocol_whitelist', 'file,udp,rtp',
      // Large UDP receive buffers: the kernel drops bursts (a keyframe) past the default.
      '-buffer_size', String(4 * 1024 * 1024),
      '-reorder_queue_size', '128',
      // Probing tuned out: the SDP says what the streams are; decoding starts at the first keyframe.
      '-fflags', '+genpts+nobuffer+discardcorrupt', '-flags', 'low_delay',
      '-analyzeduration', '500000', '-probesize', '500000',
      '-i', 'input.sdp',
    ];
    const out: string[] = [];
    // The top rendition copied (an H.264 source at its size), the others encoded.
    const copyTop = o.hasVideo && !!o.copyTopVideo;
    const encoded = o.renditions.map((r, i) => ({ r, i })).filter(({ i }) => !(copyTop && i === 0));
    if (o.hasVideo) {
      const splits = encoded.map(({ i }) => `[s${i}]`).join('');
      const scales = encoded.map(({ r, i }) => `[s${i}]scale=-2:'min(${r.height},ih)':flags=fast_bilinear[v${i}]`);
      if (encoded.length > 0) out.push('-filter_complex', `[0:v]fps=30,split=${encoded.length}${splits};${scales.join(';')}`);
      o.renditions.forEach((_, i) => out.push('-map', copyTop && i === 0 ? '0:v' : `[v${i}]`));
    }
    if (o.hasAudio) o.renditions.forEach(() => out.push('-map', '0:a'));
    if (o.hasVideo) {
      // Encoder options per encoded stream: a copied stream takes none (ffmpeg refuses a profile there).
      if (copyTop) out.push('-c:v:0', 'copy');
      encoded.forEach(({ r, i }) => {
        const kbps = Math.round(r.videoBitrate / 1000);
        out.push(`-c:v:${i}`, 'libx264', `-preset:v:${i}`, 'veryfast', `-tune:v:${i}`, 'zerolatency', `-profile:v:${i}`, 'main');
        out.push(`-pix_fmt:v:${i}`, 'yuv420p', `-threads:v:${i}`, threads, `-sc_threshold:v:${i}`, '0');
        out.push(`-b:v:${i}`, `${kbps}k`, `-maxrate:v:${i}`, `${Math.round(kbps * 1.2)}k`, `-bufsize:v:${i}`, `${kbps}k`);
        // A keyframe at every segment boundary: each segment plays on its own.
        out.push(`-force_key_frames:v:${i}`, `expr:gte(t,n_forced*${seg})`);
      });
    }
    if (o.hasAudio) out.push('-c:a', 'aac', '-b:a', '96k', '-ac', '2', '-ar', '48000');
    const streamMap = o.renditions
      .map((r, i) => [o.hasVideo ? `v:${i}` : '', o.hasAudio ? `a:${i}` : '', `name:${r.name}`].filter(Boolean).join(','))
      .join(' ');
    out.push(
      '-f', 'hls', '-hls_time', String(seg), '-hls_list_size', '0', '-hls_playlist_type', 'event',
      '-hls_flags', 'independent_segments+program_date_time+append_list+discont_start+temp_file',
      '-hls_segment_filename', `%v/seg%05d.ts`,
      '-master_pl_name', MASTER,
      '-var_stream_map', streamMap,
      `%v/${MEDIA_PLAYLIST}`,
    );
    return [...input, ...out];
  }

  private async listedSegments(): Promise<number> {
    const first = this.options.renditions[0];
    if (!first) return 0;
    const text = await readFile(path.join(this.options.outDir, first.name, MEDIA_PLAYLIST), 'utf8').catch(() => '');
    return (text.match(/#EXTINF:/g) ?? []).length;
  }

  private async checkPlaylist(): Promise<void> {
    const count = await this.listedSegments();
    if (count <= this.segments) return;
    this.segments = count;
    // Output again: crashes count as consecutive only until ffmpeg makes progress.
    this.restarts = 0;
    if (!this.producing) {
      this.producing = true;
      this.emit('playable');
    }
  }

  /** Kills ffmpeg without closing the playlists (they are continued by another transcoder). */
  abort(): void {
    this.stopping = true;
    if (this.poll) clearInterval(this.poll);
    this.child?.kill('SIGKILL');
  }

  /** Ends ffmpeg gracefully (it closes the playlists with ENDLIST) and makes sure they are closed. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    if (this.poll) clearInterval(this.poll);
    await stopFfmpeg(this.child, STOP_GRACE_MS);
    await this.checkPlaylist();
    await Promise.all(this.options.renditions.map((r) => HlsTranscoder.endPlaylist(path.join(this.options.outDir, r.name, MEDIA_PLAYLIST))));
  }

  /**
   * Stops the ffmpeg of a stream whose node died without stopping it (it would wait for RTP
   * forever): the one recorded in the folder, if it still runs there.
   */
  static killOrphan(outDir: string): boolean {
    return killOrphanFfmpeg(outDir);
  }

  /** Appends `#EXT-X-ENDLIST` to a media playlist that lacks it (ffmpeg killed, or it crashed). */
  static async endPlaylist(file: string): Promise<void> {
    const text = await readFile(file, 'utf8').catch(() => null);
    if (text === null || text.includes('#EXT-X-ENDLIST')) return;
    await appendFile(file, `${text.endsWith('\n') ? '' : '\n'}#EXT-X-ENDLIST\n`);
  }

  private log(level: 'info' | 'warn' | 'error', message: string, details?: Record<string, unknown>): void {
    this.options.log?.(level, message, details);
  }
}
