/**
 * A low-latency HLS media playlist (RFC 8216bis, version 9) being built: complete segments, the
 * parts of the last few, the parts of the segment in progress and a preload hint for the next part.
 * Every segment is kept (an EVENT playlist: the ended stream is its own replay); parts are listed
 * only for the last PART_SEGMENTS segments, as the spec allows.
 */

export interface LlPart {
  uri: string;
  duration: number;
  independent: boolean;
}

export interface LlSegment {
  uri: string;
  duration: number;
  parts: LlPart[];
  /** The init segment (EXT-X-MAP) this segment needs, when it differs from the previous one's. */
  map?: string;
  discontinuity?: boolean;
  /** Wall clock of the segment's start (EXT-X-PROGRAM-DATE-TIME), ms. */
  startedAt?: number;
}

/** Parts are kept in the playlist for this many complete segments (the spec asks for at least 3 target durations). */
const PART_SEGMENTS = 4;

export class LlHlsPlaylist {
  readonly segments: LlSegment[] = [];
  /** Parts of the segment being written. */
  current: LlPart[] = [];
  currentMap: string | undefined;
  currentDiscontinuity = false;
  currentStartedAt: number | undefined;
  ended = false;

  constructor(
    /** Declared PART-TARGET (s): no part is longer. */
    readonly partTarget: number,
    /** Segment length the source aims at (s); TARGETDURATION is at least this. */
    readonly segmentTarget: number,
  ) {}

  /**
   * The complete segments of an earlier run's playlist in the same folder (the stream's media
   * moved): this run continues after them, its first segment after a discontinuity.
   */
  continueFrom(text: string): void {
    let pending: Partial<LlSegment> = {};
    for (const line of text.split('\n')) {
      if (line === '#EXT-X-DISCONTINUITY') pending.discontinuity = true;
      else if (line.startsWith('#EXT-X-MAP:URI="')) pending.map = line.slice(16, -1);
      else if (line.startsWith('#EXTINF:')) pending.duration = Number.parseFloat(line.slice(8));
      else if (line && !line.startsWith('#') && pending.duration !== undefined) {
        this.segments.push({ uri: line, duration: pending.duration, parts: [], ...(pending.map ? { map: pending.map } : {}), ...(pending.discontinuity ? { discontinuity: true } : {}) });
        pending = {};
      }
    }
    if (this.segments.length > 0) this.currentDiscontinuity = true;
  }

  /** Media sequence number of the segment in progress. */
  get msn(): number {
    return this.segments.length;
  }

  /** Closes the segment in progress under `uri`. */
  closeSegment(uri: string): LlSegment {
    const segment: LlSegment = {
      uri,
      duration: this.current.reduce((sum, p) => sum + p.duration, 0),
      parts: this.current,
      ...(this.currentMap ? { map: this.currentMap } : {}),
      ...(this.currentDiscontinuity ? { discontinuity: true } : {}),
      ...(this.currentStartedAt ? { startedAt: this.currentStartedAt } : {}),
    };
    this.segments.push(segment);
    this.current = [];
    this.currentMap = undefined;
    this.currentDiscontinuity = false;
    this.currentStartedAt = undefined;
    return segment;
  }

  render(nextPartUri: string | null): string {
    const longest = Math.max(this.segmentTarget, ...this.segments.map((s) => s.duration));
    const lines = [
      '#EXTM3U',
      '#EXT-X-VERSION:9',
      `#EXT-X-TARGETDURATION:${Math.ceil(longest)}`,
      '#EXT-X-MEDIA-SEQUENCE:0',
      '#EXT-X-PLAYLIST-TYPE:EVENT',
      '#EXT-X-INDEPENDENT-SEGMENTS',
      // PART-HOLD-BACK at least twice (Apple: three times) the part target.
      `#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=${fixed(this.partTarget * 3)}`,
      `#EXT-X-PART-INF:PART-TARGET=${fixed(this.partTarget)}`,
    ];
    const partsFrom = this.segments.length - PART_SEGMENTS;
    this.segments.forEach((s, i) => {
      head(lines, s);
      if (i >= partsFrom) for (const p of s.parts) lines.push(partLine(p));
      lines.push(`#EXTINF:${fixed(s.duration)},`, s.uri);
    });
    if (this.ended) {
      lines.push('#EXT-X-ENDLIST');
    } else {
      if (this.current.length > 0 || this.currentMap) head(lines, { map: this.currentMap, discontinuity: this.currentDiscontinuity, startedAt: this.currentStartedAt });
      for (const p of this.current) lines.push(partLine(p));
      if (nextPartUri) lines.push(`#EXT-X-PRELOAD-HINT:TYPE=PART,URI="${nextPartUri}"`);
    }
    return `${lines.join('\n')}\n`;
  }
}

function head(lines: string[], s: Pick<LlSegment, 'map' | 'discontinuity' | 'startedAt'>): void {
  if (s.discontinuity) lines.push('#EXT-X-DISCONTINUITY');
  if (s.map) lines.push(`#EXT-X-MAP:URI="${s.map}"`);
  if (s.startedAt) lines.push(`#EXT-X-PROGRAM-DATE-TIME:${new Date(s.startedAt).toISOString()}`);
}

const partLine = (p: LlPart): string => `#EXT-X-PART:DURATION=${fixed(p.duration)},URI="${p.uri}"${p.independent ? ',INDEPENDENT=YES' : ''}`;
const fixed = (n: number): string => n.toFixed(3);
