/**
 * The picture size in an H.264 sequence parameter set (ITU-T H.264 7.3.2.1.1), read from RTP
 * payloads (RFC 6184: a single NAL unit, a STAP-A aggregate, or the first fragment of an FU-A).
 * Only what the size needs is read; the rest of the SPS is skipped as the syntax requires.
 */

/** The size in the SPS carried by this RTP payload, if it carries one. */
export function spsSizeOfRtpPayload(payload: Uint8Array): { width: number; height: number } | null {
  if (payload.length < 2) return null;
  const type = payload[0]! & 0x1f;
  if (type === 7) return spsSize(payload);
  if (type === 24) {
    // STAP-A: 16-bit sizes, each followed by a NAL unit.
    for (let i = 1; i + 2 < payload.length; ) {
      const size = (payload[i]! << 8) | payload[i + 1]!;
      const nal = payload.subarray(i + 2, i + 2 + size);
      if (nal.length > 0 && (nal[0]! & 0x1f) === 7) return spsSize(nal);
      i += 2 + size;
    }
  }
  if (type === 28 && payload[1]! & 0x80 && (payload[1]! & 0x1f) === 7) {
    // The first fragment of an SPS (rare: an SPS is small) usually holds the size fields.
    return spsSize(Uint8Array.of((payload[0]! & 0xe0) | 7, ...payload.subarray(2)));
  }
  return null;
}

/** The payload of an RTP packet (after the header, CSRCs and extension; padding removed). */
export function rtpPayload(packet: Uint8Array): Uint8Array | null {
  if (packet.length < 12 || packet[0]! >> 6 !== 2) return null;
  let offset = 12 + (packet[0]! & 0x0f) * 4;
  if (packet[0]! & 0x10) {
    if (packet.length < offset + 4) return null;
    offset += 4 + ((packet[offset + 2]! << 8) | packet[offset + 3]!) * 4;
  }
  let end = packet.length;
  if (packet[0]! & 0x20) end -= packet[end - 1]!;
  return offset < end ? packet.subarray(offset, end) : null;
}

const HIGH_PROFILES = new Set([100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135]);

/** The size of one SPS NAL unit (with its header byte); null when it is cut short. */
export function spsSize(nal: Uint8Array): { width: number; height: number } | null {
  const bits = new BitReader(unescape(nal.subarray(1)));
  try {
    const profile = bits.u(8);
    bits.u(16); // constraint flags, level
    bits.ue(); // seq_parameter_set_id
    let chroma = 1;
    if (HIGH_PROFILES.has(profile)) {
      chroma = bits.ue();
      if (chroma === 3) bits.u(1);
      bits.ue();
      bits.ue();
      bits.u(1);
      if (bits.u(1)) {
        for (let i = 0; i < (chroma === 3 ? 12 : 8); i++) if (bits.u(1)) skipScalingList(bits, i < 6 ? 16 : 64);
      }
    }
    bits.ue(); // log2_max_frame_num_minus4
    const pocType = bits.ue();
    if (pocType === 0) bits.ue();
    else if (pocType === 1) {
      bits.u(1);
      bits.se();
      bits.se();
      const n = bits.ue();
      for (let i = 0; i < n; i++) bits.se();
    }
    bits.ue(); // max_num_ref_frames
    bits.u(1);
    const widthMbs = bits.ue() + 1;
    const heightUnits = bits.ue() + 1;
    const frameMbsOnly = bits.u(1);
    if (!frameMbsOnly) bits.u(1);
    bits.u(1);
    let [left, right, top, bottom] = [0, 0, 0, 0];
    if (bits.u(1)) [left, right, top, bottom] = [bits.ue(), bits.ue(), bits.ue(), bits.ue()];
    const cropX = chroma === 0 || chroma === 3 ? 1 : 2;
    const cropY = (chroma === 1 ? 2 : 1) * (2 - frameMbsOnly);
    return { width: widthMbs * 16 - (left + right) * cropX, height: (2 - frameMbsOnly) * heightUnits * 16 - (top + bottom) * cropY };
  } catch {
    return null;
  }
}

function skipScalingList(bits: BitReader, size: number): void {
  let last = 8;
  let next = 8;
  for (let j = 0; j < size; j++) {
    if (next !== 0) next = (last + bits.se() + 256) % 256;
    last = next === 0 ? last : next;
  }
}

/** Drops the emulation prevention bytes (00 00 03 -> 00 00). */
function unescape(data: Uint8Array): Uint8Array {
  const out: number[] = [];
  let zeros = 0;
  for (const byte of data) {
    if (zeros >= 2 && byte === 3) {
      zeros = 0;
      continue;
    }
    zeros = byte === 0 ? zeros + 1 : 0;
    out.push(byte);
  }
  return Uint8Array.from(out);
}

class BitReader {
  private pos = 0;
  constructor(private readonly data: Uint8Array) {}

  u(n: number): number {
    let v = 0;
    for (let i = 0; i < n; i++) {
      const byte = this.data[this.pos >> 3];
      if (byte === undefined) throw new RangeError('SPS cut short');
      v = v * 2 + ((byte >> (7 - (this.pos & 7))) & 1);
      this.pos++;
    }
    return v;
  }

  ue(): number {
    let zeros = 0;
    while (this.u(1) === 0) if (++zeros > 31) throw new RangeError('bad exp-Golomb code');
    return 2 ** zeros - 1 + this.u(zeros);
  }

  se(): number {
    const k = this.ue();
    return k % 2 ? (k + 1) / 2 : -k / 2;
  }
}
