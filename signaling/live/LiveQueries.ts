import type { LiveStreamDoc } from '../../storage/documents';
import type { LiveStreamInfo } from '../protocol/live';
import type { LiveHlsSigner } from './LiveHlsSigner';

/** What the HTTP routes ask of live streams (GET /api/live, a stream, its HLS files). */
export interface LiveQueries {
  /** Streams going on that the user may watch. */
  listFor(uid: string): Promise<LiveStreamInfo[]>;
  /** The stream, if it exists and the user may watch it (else stream_not_found / not_member). */
  watchable(streamid: string, uid: string, sessions?: string[]): Promise<LiveStreamDoc>;
  readonly hlsUrls: LiveHlsSigner;
  /** Where a stream's HLS files are. */
  dir(streamid: string): string;
}
