import { execFile } from 'node:child_process';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { HlsTranscoder } from '../../media';
import type { LiveDeps } from './LiveDeps';

/** Part target of the low-latency playlists (s): parts of about 270-300 ms. */
export const LL_PART_SECONDS = 0.3;
/** The low-latency playlist's folder inside a stream's HLS folder (`ll.m3u8` beside it). */
export const LL_FOLDER = 'll';

/**
 * The streams' HLS folders, DATA_DIR/hls/<streamid> in the shared data directory (every node
 * serves them), and the ffmpeg that writes them.
 */
export class LiveHls {
  /** Whether FFMPEG_PATH runs here (checked once at start). */
  readonly ffmpegRuns: Promise<boolean>;

  constructor(private readonly deps: Pick<LiveDeps, 'config' | 'logger'>) {
    const { config, logger } = deps;
    this.ffmpegRuns = new Promise((resolve) => {
      execFile(config.ffmpegPath, ['-hide_banner', '-version'], { timeout: 10_000 }, (err) => {
        if (err) logger.warn({ ffmpeg: config.ffmpegPath, err: err.message }, 'ffmpeg does not run here: live streams are unavailable');
        resolve(!err);
      });
    });
  }

  /** Where a stream's HLS files are. */
  dir(streamid: string): string {
    return path.join(this.deps.config.dataDir, 'hls', streamid);
  }

  /** Where a stream's low-latency playlist, parts and segments are. */
  llDir(streamid: string): string {
    return path.join(this.dir(streamid), LL_FOLDER);
  }

  /** Closes the playlists (ENDLIST) when no transcoder ran at the end to do it. */
  async endPlaylists(streamid: string, renditions: { name: string }[]): Promise<void> {
    const playlists = [...renditions.map((r) => path.join(this.dir(streamid), r.name, 'index.m3u8')), path.join(this.llDir(streamid), 'index.m3u8')];
    await Promise.all(playlists.map((file) => HlsTranscoder.endPlaylist(file))).catch(() => undefined);
  }

  /** Stops the ffmpegs a dead process left writing the folders (classic and LL); true when there was one. */
  killOrphan(streamid: string): boolean {
    const classic = HlsTranscoder.killOrphan(this.dir(streamid));
    const ll = HlsTranscoder.killOrphan(this.llDir(streamid));
    return classic || ll;
  }

  async remove(streamid: string): Promise<void> {
    await rm(this.dir(streamid), { recursive: true, force: true });
  }
}
