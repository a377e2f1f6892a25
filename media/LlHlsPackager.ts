import type { ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { avcCodec, initTracks, readBoxes, fragmentTracks, type Box, type InitTrack } from './fmp4Boxes';
import { LlHlsPlaylist, type LlPart } from './LlHlsPlaylist';
import type { LlHlsPackagerEvents, LlHlsPackagerOptions } from './LlHlsPackagerTypes';
import { recordFfmpegPid } from './ffmpegPidFile';
import { spawnFfmpeg } from './ffmpegProcess';
import { stopFfmpeg } from './stopFfmpeg';

/** The LL media playlist in the packager's folder, and the LL multivariant playlist beside that folder. */
export const LL_PLAYLIST = 'index.m3u8';
export const LL_MASTER = 'll.m3u8';
const STOP_GRACE_MS = 2000;

/**
 * Low-latency HLS of one rendition, packaged here (Debian's ffmpeg 5.1 writes fragmented MP4 but
 * no LL-HLS playlists): ffmpeg writes fMP4 to a pipe, a fragment every part target and at every
 * keyframe; each moof+mdat is written as a part file (`<run>-<n>.m4s`), and the parts from one
 * independent (keyframe) part to the next are joined into the segment (`segNNNNN.m4s`, byte for
 * byte their concatenation). The playlist (index.m3u8) is rewritten atomically after each part,
 * so a blocked reload sees a part as soon as its file exists.
 *
 * Supervised like HlsTranscoder: a crash starts ffmpeg again. Once the old process is closed (its
 * output read to the end) the segment in progress is closed, and the new run's parts (named by the
 * run, with a new init) start the next segment after EXT-X-DISCONTINUITY: the media sequence goes
 * on increasing, and a blocked reload of the interrupted segment's next part is answered by it.
 */
export class LlHlsPackager extends EventEmitter<LlHlsPackagerEvents> {
  private child: ChildProcess | null = null;
  private stopping = false;
  private restarts = 0;
  private run = '';
  private counter = 0;
  private pending: Buffer = Buffer.alloc(0);
  private tracks: InitTrack[] = [];
  private moof: Buffer | null = null;
  private codecs = '';
  /** Bytes of the parts of the segment in progress. */
  private segmentBytes: Buffer[] = [];
  /** File writes in order (a part is listed only after its file is there). */
  private writes: Promise<void> = Promise.resolve();
  readonly playlist: LlHlsPlaylist;

  constructor(private readonly options: LlHlsPackagerOptions) {
    super();
    this.playlist = new LlHlsPlaylist(options.partSeconds, options.segmentSeconds);
  }

  async start(): Promise<void> {
    await mkdir(this.options.outDir, { recursive: true });
    await writeFile(path.join(this.options.outDir, 'input.sdp'), this.options.sdp);
    const earlier = await readFile(path.join(this.options.outDir, LL_PLAYLIST), 'utf8').catch(() => '');
    if (earlier) this.playlist.continueFrom(earlier.replace(/#EXT-X-ENDLIST\n?/, ''));
    this.spawn();
  }

  private spawn(): void {
    this.run = Date.now().toString(36);
    this.counter = 0;
    this.pending = Buffer.alloc(0);
    this.tracks = [];
    this.moof = null;
    const child = spawnFfmpeg(this.options.ffmpegPath, this.args(), { cwd: this.options.outDir, stdout: 'pipe', nice: this.options.nice });
    this.child = child;
    // Recorded like the transcoder's: an orphan outliving its node is found and stopped.
    recordFfmpegPid(this.options.outDir, child.pid);
    // Bound to this process: nothing a closing one still writes mixes into the next one's boxes.
    child.stdout?.on('data', (chunk: Buffer) => {
      if (this.child === child) this.onData(chunk);
    });
    child.stderr?.setEncoding('utf8').on('data', (text: string) => {
      const line = text.trim();
      if (!line) return;
      if (/keyframe|corrupt|missing reference|Invalid data/i.test(line)) this.emit('keyframeNeeded');
      this.log('warn', 'ffmpeg (LL-HLS)', { line: line.slice(0, 500) });
    });
    child.once('error', (err) => {
      this.log('error', 'ffmpeg (LL-HLS) could not start', { err: err.message });
      this.onExit(child);
    });
    // 'close', not 'exit': the last parts the process wrote are read before the segment is closed.
    child.once('close', () => this.onExit(child));
  }

  private onExit(child: ChildProcess): void {
    if (this.child !== child) return;
    this.child = null;
    if (this.stopping) return;
    this.restarts += 1;
    if (this.restarts > (this.options.maxRestarts ?? 5)) {
      this.emit('failed', new Error(`ffmpeg (LL-HLS) exited ${this.restarts} times`));
      return;
    }
    this.log('warn', 'ffmpeg (LL-HLS) exited; starting it again', { attempt: this.restarts, code: child.exitCode, signal: child.signalCode });
    this.moof = null;
    this.queue(async () => {
      // The interrupted segment ends here; the next run's first segment follows a discontinuity.
      await this.closeSegment();
      this.playlist.currentDiscontinuity = this.playlist.segments.length > 0;
      // Listed without the old run's preload hint (the next run names its parts anew).
      await this.writePlaylist();
    });
    const attempt = this.restarts;
    setTimeout(() => {
      if (this.stopping) return;
      this.spawn();
      this.emit('restarted', { attempt });
    }, Math.min(2000, 200 * attempt));
  }

  private args(): string[] {
    const o = this.options;
    const kbps = Math.round(o.videoBitrate / 1000);
    const video = !o.hasVideo
      ? ['-vn']
      : o.copyVideo
        ? ['-map', '0:v', '-c:v', 'copy']
        : [
            '-map', '0:v', '-vf', `fps=30,scale=-2:'min(${o.height},ih)':flags=fast_bilinear`,
            '-c:v', 'libx264', '-preset', 'veryfast', '-tune', 'zerolatency', '-profile:v', 'main', '-pix_fmt', 'yuv420p',
            '-threads', String(o.threads ?? 1), '-sc_threshold', '0',
            '-b:v', `${kbps}k`, '-maxrate', `${Math.round(kbps * 1.2)}k`, '-bufsize', `${kbps}k`,
            '-force_key_frames', `expr:gte(t,n_forced*${o.segmentSeconds})`,
          ];
    const audio = o.hasAudio ? ['-map', '0:a', '-c:a', 'aac', '-b:a', '96k', '-ac', '2', '-ar', '48000'] : ['-an'];
    // A fragment (a part) a frame short of the part target, a new one at each keyframe. A copied
    // H.264 stream may have no parameter sets before its first keyframe: delay_moov lets that
    // supply them (its first part comes out longer); an encoded one needs no delay.
    const fragUs = Math.round((o.partSeconds - 1 / 30) * 1e6);
    const flags = `empty_moov+default_base_moof+frag_keyframe${o.copyVideo ? '+delay_moov' : ''}`;
    return [
      '-hide_banner', '-nostats', '-loglevel', 'error',
      '-protocol_whitelist', 'file,udp,rtp',
      '-buffer_size', String(4 * 1024 * 1024),
      '-reorder_queue_size', '128',
      '-fflags', '+genpts+nobuffer+discardcorrupt', '-flags', 'low_delay',
      '-analyzeduration', '500000', '-probesize', '500000',
      '-i', 'input.sdp',
      ...video, ...audio,
      '-f', 'mp4', '-movflags', flags, '-frag_duration', String(fragUs),
      '-flush_packets', '1', 'pipe:1',
    ];
  }

  private onData(chunk: Buffer): void {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    let boxes: Box[];
    let rest: number;
    try {
      ({ boxes, rest } = readBoxes(this.pending));
    } catch (err) {
      this.log('error', 'LL-HLS: unreadable MP4 from ffmpeg', { err: (err as Error).message });
      this.child?.kill('SIGKILL');
      return;
    }
    const buf = this.pending;
    for (const box of boxes) {
      const bytes = buf.subarray(box.start, box.start + box.size);
      if (box.type === 'moov') this.onInit(buf, box);
      else if (box.type === 'moof') this.moof = Buffer.from(bytes);
      else if (box.type === 'mdat' && this.moof) {
        const moof = this.moof;
        this.moof = null;
        this.onPart(moof, Buffer.from(bytes));
      }
    }
    this.pending = this.pending.subarray(rest);
  }

  private ftyp: Buffer | null = null;

  private onInit(buf: Buffer, moov: Box): void {
    this.tracks = initTracks(buf, moov);
    const ftyp = readBoxes(buf, 0, moov.start).boxes.find((b) => b.type === 'ftyp');
    this.ftyp = ftyp ? Buffer.from(buf.subarray(ftyp.start, ftyp.start + ftyp.size)) : this.ftyp;
    const init = Buffer.concat([this.ftyp ?? Buffer.alloc(0), buf.subarray(moov.start, moov.start + moov.size)]);
    const uri = `init-${this.run}.mp4`;
    this.codecs = [avcCodec(buf, moov), this.options.hasAudio ? 'mp4a.40.2' : null].filter(Boolean).join(',');
    this.queue(async () => {
      await atomicWrite(path.join(this.options.outDir, uri), init);
      this.playlist.currentMap = uri;
      await this.writeMaster();
    });
  }

  private onPart(moof: Buffer, mdat: Buffer): void {
    const frag = fragmentTracks(moof, { type: 'moof', start: 0, size: moof.length }, this.tracks);
    const main = this.tracks.find((t) => t.kind === 'video') ?? this.tracks[0];
    const info = frag.find((f) => f.id === main?.id);
    if (!main || !info) return;
    const independent = main.kind !== 'video' || info.firstSync;
    // Nothing listed before the first keyframe: every segment starts with one.
    if (!independent && this.playlist.current.length === 0 && this.segmentBytes.length === 0) return;
    const bytes = Buffer.concat([moof, mdat]);
    const uri = `${this.run}-${this.counter++}.m4s`;
    const part: LlPart = { uri, duration: info.duration / main.timescale, independent };
    this.queue(async () => {
      if (independent && this.playlist.current.length > 0) await this.closeSegment();
      await atomicWrite(path.join(this.options.outDir, uri), bytes);
      if (this.playlist.current.length === 0) this.playlist.currentStartedAt = Date.now() - part.duration * 1000;
      this.playlist.current.push(part);
      this.segmentBytes.push(bytes);
      // Output again: crashes count as consecutive only until ffmpeg makes progress.
      this.restarts = 0;
      await this.writePlaylist();
      this.emit('part', { msn: this.playlist.msn, part: this.playlist.current.length - 1, independent });
    });
  }

  /** The parts so far become a segment (their bytes joined). */
  private async closeSegment(): Promise<void> {
    if (this.playlist.current.length === 0) return;
    const uri = `seg${String(this.playlist.msn).padStart(5, '0')}.m4s`;
    await atomicWrite(path.join(this.options.outDir, uri), Buffer.concat(this.segmentBytes));
    this.segmentBytes = [];
    this.playlist.closeSegment(uri);
  }

  private queue(work: () => Promise<void>): void {
    this.writes = this.writes.then(work).catch((err: unknown) => this.log('error', 'LL-HLS write failed', { err: (err as Error).message }));
  }

  private async writePlaylist(): Promise<void> {
    const next = this.child && !this.stopping ? `${this.run}-${this.counter}.m4s` : null;
    await atomicWrite(path.join(this.options.outDir, LL_PLAYLIST), this.playlist.render(next));
  }

  /** ll.m3u8 beside the LL folder: one variant, this playlist. */
  private async writeMaster(): Promise<void> {
    const o = this.options;
    const bandwidth = (o.hasVideo ? o.videoBitrate : 0) + (o.hasAudio ? 96_000 : 0);
    const codecs = this.codecs ? `,CODECS="${this.codecs}"` : '';
    const text = `#EXTM3U\n#EXT-X-VERSION:9\n#EXT-X-INDEPENDENT-SEGMENTS\n#EXT-X-STREAM-INF:BANDWIDTH=${Math.round(bandwidth * 1.2)}${codecs}\n${path.basename(o.outDir)}/${LL_PLAYLIST}\n`;
    await atomicWrite(path.join(path.dirname(o.outDir), LL_MASTER), text);
  }

  /** Kills ffmpeg, leaving the playlist open (another packager continues it). */
  abort(): void {
    this.stopping = true;
    this.child?.kill('SIGKILL');
  }

  /** Ends ffmpeg, lists what it wrote last, and closes the playlist (ENDLIST). */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    await stopFfmpeg(this.child, STOP_GRACE_MS);
    this.queue(async () => {
      await this.closeSegment();
      this.playlist.ended = true;
      await this.writePlaylist();
    });
    await this.writes;
  }

  private log(level: 'info' | 'warn' | 'error', message: string, details?: Record<string, unknown>): void {
    this.options.log?.(level, message, details);
  }
}

async function atomicWrite(file: string, text: string | Buffer): Promise<void> {
  const temp = `${file}.tmp`;
  await writeFile(temp, text);
  await rename(temp, file);
}
