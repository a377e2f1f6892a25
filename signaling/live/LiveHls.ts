import { execFile } from 'node:child_process';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { HlsTranscoder } from '../../media';
import type { LiveDeps } from './LiveDeps';

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

  /** Closes the playlists (ENDLIST) when no transcoder ran at the end to do it. */
  async endPlaylists(streamid: string, renditions: { name: string }[]): Promise<void> {
    await Promise.all(renditions.map((r) => HlsTranscoder.endPlaylist(path.join(this.dir(streamid), r.name, 'index.m3u8')))).catch(() => undefined);
  }

  /** Stops an ffmpeg a dead process left writing the folder; true when there was one. */
  killOrphan(streamid: string): boolean {
    return HlsTranscoder.killOrphan(this.dir(streamid));
  }

  async remove(streamid: string): Promise<void> {
    await rm(this.dir(streamid), { recursive: true, force: true });
  }
}
