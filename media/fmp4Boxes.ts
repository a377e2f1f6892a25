/**
 * Just enough ISO BMFF (fragmented MP4) reading for the LL-HLS packager: top-level boxes of a
 * byte stream, the tracks of an init segment (id, kind, timescale), and per fragment (moof) each
 * track's first decode time, duration and whether it starts on a sync sample (a keyframe).
 */

export interface Box {
  type: string;
  /** Offset of the box's header in the buffer, and its whole size. */
  start: number;
  size: number;
}

export interface InitTrack {
  id: number;
  kind: 'video' | 'audio' | 'other';
  timescale: number;
  /** Sample flags of `trex` (used when a fragment says none). */
  defaultFlags: number;
  defaultDuration: number;
}

export interface FragmentTrack {
  id: number;
  duration: number;
  firstSync: boolean;
}

const CONTAINERS = new Set(['moov', 'trak', 'mdia', 'minf', 'stbl', 'mvex', 'moof', 'traf']);
const NON_SYNC = 0x10000;

/** The complete boxes in buf[from, to); `rest` is where an unfinished one starts. */
export function readBoxes(buf: Buffer, from = 0, to = buf.length): { boxes: Box[]; rest: number } {
  const boxes: Box[] = [];
  let at = from;
  while (to - at >= 8) {
    let size = buf.readUInt32BE(at);
    const type = buf.toString('latin1', at + 4, at + 8);
    if (size === 1) {
      if (to - at < 16) break;
      size = Number(buf.readBigUInt64BE(at + 8));
    }
    if (size < 8) throw new Error(`bad MP4 box ${type} of size ${size}`);
    if (to - at < size) break;
    boxes.push({ type, start: at, size });
    at += size;
  }
  return { boxes, rest: at };
}

function children(buf: Buffer, box: Box): Box[] {
  const header = buf.readUInt32BE(box.start) === 1 ? 16 : 8;
  return readBoxes(buf, box.start + header, box.start + box.size).boxes;
}

/** Every box of the given type under `box`, depth first (only through container boxes). */
function findAll(buf: Buffer, box: Box, type: string): Box[] {
  const found: Box[] = [];
  for (const child of children(buf, box)) {
    if (child.type === type) found.push(child);
    if (CONTAINERS.has(child.type)) found.push(...findAll(buf, child, type));
  }
  return found;
}

const first = (buf: Buffer, box: Box, type: string): Box | undefined => findAll(buf, box, type)[0];

/** The tracks an init segment's moov declares. */
export function initTracks(buf: Buffer, moov: Box): InitTrack[] {
  const trex = new Map<number, { flags: number; duration: number }>();
  for (const b of findAll(buf, moov, 'trex')) {
    trex.set(buf.readUInt32BE(b.start + 12), { duration: buf.readUInt32BE(b.start + 20), flags: buf.readUInt32BE(b.start + 28) });
  }
  return findAll(buf, moov, 'trak').map((trak) => {
    const tkhd = first(buf, trak, 'tkhd');
    const mdhd = first(buf, trak, 'mdhd');
    const hdlr = first(buf, trak, 'hdlr');
    if (!tkhd || !mdhd || !hdlr) throw new Error('incomplete MP4 track');
    const id = buf.readUInt32BE(tkhd.start + (buf[tkhd.start + 8] === 1 ? 28 : 20));
    const timescale = buf.readUInt32BE(mdhd.start + (buf[mdhd.start + 8] === 1 ? 28 : 20));
    const handler = buf.toString('latin1', hdlr.start + 16, hdlr.start + 20);
    const defaults = trex.get(id) ?? { flags: 0, duration: 0 };
    return { id, timescale, kind: handler === 'vide' ? 'video' : handler === 'soun' ? 'audio' : 'other', defaultFlags: defaults.flags, defaultDuration: defaults.duration };
  });
}

/** The RFC 6381 codec of the init's H.264 track (`avc1.4d401f`), if it has one. */
export function avcCodec(buf: Buffer, moov: Box): string | null {
  const at = buf.indexOf('avcC', moov.start, 'latin1');
  if (at < 0 || at + 8 > moov.start + moov.size) return null;
  return `avc1.${buf.subarray(at + 5, at + 8).toString('hex')}`;
}

/** Per track of a fragment: its duration (track timescale units) and whether its first sample is a sync sample. */
export function fragmentTracks(buf: Buffer, moof: Box, tracks: InitTrack[]): FragmentTrack[] {
  return findAll(buf, moof, 'traf').map((traf) => {
    const tfhd = first(buf, traf, 'tfhd');
    if (!tfhd) throw new Error('traf without tfhd');
    const tfFlags = buf.readUInt32BE(tfhd.start + 8) & 0xffffff;
    const id = buf.readUInt32BE(tfhd.start + 12);
    const track = tracks.find((t) => t.id === id);
    let at = tfhd.start + 16;
    if (tfFlags & 0x1) at += 8; // base data offset
    if (tfFlags & 0x2) at += 4; // sample description index
    let defaultDuration = track?.defaultDuration ?? 0;
    if (tfFlags & 0x8) defaultDuration = buf.readUInt32BE((at += 4) - 4);
    if (tfFlags & 0x10) at += 4; // default size
    const defaultFlags = tfFlags & 0x20 ? buf.readUInt32BE(at) : (track?.defaultFlags ?? 0);
    let duration = 0;
    let firstFlags: number | null = null;
    for (const trun of findAll(buf, traf, 'trun')) {
      const flags = buf.readUInt32BE(trun.start + 8) & 0xffffff;
      const count = buf.readUInt32BE(trun.start + 12);
      let p = trun.start + 16;
      if (flags & 0x1) p += 4;
      let firstSampleFlags: number | null = null;
      if (flags & 0x4) firstSampleFlags = buf.readUInt32BE((p += 4) - 4);
      for (let i = 0; i < count; i++) {
        let sampleDuration = defaultDuration;
        let sampleFlags = i === 0 && firstSampleFlags !== null ? firstSampleFlags : defaultFlags;
        if (flags & 0x100) sampleDuration = buf.readUInt32BE((p += 4) - 4);
        if (flags & 0x200) p += 4;
        if (flags & 0x400) sampleFlags = buf.readUInt32BE((p += 4) - 4);
        if (flags & 0x800) p += 4;
        duration += sampleDuration;
        if (firstFlags === null) firstFlags = sampleFlags;
      }
    }
    return { id, duration, firstSync: firstFlags !== null && (firstFlags & NON_SYNC) === 0 };
  });
}
