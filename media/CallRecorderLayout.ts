/**
 * The ffmpeg filter graph of one recording segment: the videos in a grid (1 to 9 tiles, the last row
 * centred) on a fixed canvas, the voices mixed, both at fixed formats so that every segment of a
 * recording can be joined without encoding again.
 */

/** Most tiles on the canvas; later videos are left out. */
export const MAX_TILES = 9;

export interface GridTile {
  x: number;
  y: number;
  width: number;
  height: number;
}

const even = (n: number): number => Math.max(0, Math.floor(n / 2) * 2);

/** Where each of `count` tiles goes on a `width` x `height` canvas. */
export function gridTiles(count: number, width: number, height: number): GridTile[] {
  const n = Math.min(Math.max(count, 0), MAX_TILES);
  if (n === 0) return [];
  const cols = Math.ceil(Math.sqrt(n));
  const rows = Math.ceil(n / cols);
  const tw = even(width / cols);
  const th = even(height / rows);
  const top = even((height - rows * th) / 2);
  const tiles: GridTile[] = [];
  for (let i = 0; i < n; i++) {
    const row = Math.floor(i / cols);
    const inRow = row === rows - 1 ? n - row * cols : cols;
    const left = even(((cols - inRow) * tw) / 2 + (width - cols * tw) / 2);
    tiles.push({ x: left + (i % cols) * tw, y: top + row * th, width: tw, height: th });
  }
  return tiles;
}

export interface SegmentGraphInput {
  /** SDP stream indices of the videos and of the voices. */
  videos: number[];
  audios: number[];
  width: number;
  height: number;
  fps: number;
  /** ffmpeg input numbers of the stand-ins (black picture, silence) when there is no video or no voice. */
  blankVideoInput: number;
  silenceInput: number;
}

/** `-filter_complex` text ending in `[v]` and `[a]`. */
export function segmentFilterGraph(g: SegmentGraphInput): string {
  const parts: string[] = [];
  const videos = g.videos.slice(0, MAX_TILES);
  const tiles = gridTiles(videos.length, g.width, g.height);
  if (videos.length === 0) {
    parts.push(`[${g.blankVideoInput}:v]format=yuv420p[v]`);
  } else {
    videos.forEach((stream, i) => {
      const { width, height } = tiles[i]!;
      parts.push(
        `[0:${stream}]fps=${g.fps},scale=${width}:${height}:force_original_aspect_ratio=decrease:flags=fast_bilinear,` +
          `pad=${width}:${height}:(ow-iw)/2:(oh-ih)/2,setsar=1[t${i}]`,
      );
    });
    // The grid (xstack needs two tiles or more), then the canvas around it: tile positions are
    // absolute, so the padding only fills the right and bottom.
    const stacked =
      videos.length === 1
        ? `[t0]`
        : `${videos.map((_, i) => `[t${i}]`).join('')}xstack=inputs=${videos.length}:layout=${tiles.map((t) => `${t.x}_${t.y}`).join('|')}:fill=black,`;
    parts.push(`${stacked}pad=${g.width}:${g.height}:0:0:color=black,format=yuv420p[v]`);
  }
  if (g.audios.length === 0) {
    parts.push(`[${g.silenceInput}:a]aformat=sample_rates=48000:channel_layouts=stereo[a]`);
  } else if (g.audios.length === 1) {
    parts.push(`[0:${g.audios[0]}]aresample=48000:async=1,aformat=sample_rates=48000:channel_layouts=stereo[a]`);
  } else {
    const inputs = g.audios.map((s) => `[0:${s}]`).join('');
    parts.push(`${inputs}amix=inputs=${g.audios.length}:duration=longest:normalize=0,aresample=48000:async=1,aformat=sample_rates=48000:channel_layouts=stereo[a]`);
  }
  return parts.join(';');
}
