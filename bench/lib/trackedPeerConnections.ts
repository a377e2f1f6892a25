/**
 * Every RTCPeerConnection the bench's peers open, for their receive statistics: the wrtc class the
 * test kit installs as the global (test/support/media.ts) is replaced by a subclass that registers
 * each instance until it is closed. mediasoup-client builds its peer connections from the global,
 * so the web engine needs no hook of its own.
 */
import wrtc from '@roamhq/wrtc';
import '../../test/support/media';
import type { InboundSnapshot } from './callFigures';

const open = new Set<RTCPeerConnection>();
const ids = new WeakMap<RTCPeerConnection, number>();
let nextId = 0;

class TrackedPeerConnection extends wrtc.RTCPeerConnection {
  constructor(configuration?: RTCConfiguration) {
    super(configuration);
    open.add(this);
    ids.set(this, ++nextId);
  }

  override close(): void {
    open.delete(this);
    super.close();
  }
}

Object.assign(globalThis, { RTCPeerConnection: TrackedPeerConnection });

/** The cumulative inbound-rtp counters of every open peer connection. */
export async function inboundSnapshot(): Promise<InboundSnapshot> {
  const out: InboundSnapshot = new Map();
  await Promise.all(
    [...open].map(async (pc) => {
      const report = await pc.getStats().catch(() => null);
      report?.forEach((s: Record<string, unknown>) => {
        if (s.type !== 'inbound-rtp' || (s.kind !== 'audio' && s.kind !== 'video')) return;
        out.set(`${ids.get(pc)}:${String(s.ssrc)}`, { kind: s.kind, received: Number(s.packetsReceived ?? 0), lost: Number(s.packetsLost ?? 0) });
      });
    }),
  );
  return out;
}

/**
 * The senders' side as mediasoup reports it back (remote-inbound-rtp, from its receiver reports):
 * per sent stream, packets that reached the worker and packets lost on the way, so the uplink's
 * loss can be told apart from the receivers'.
 */
export async function uplinkSnapshot(): Promise<InboundSnapshot> {
  const out: InboundSnapshot = new Map();
  await Promise.all(
    [...open].map(async (pc) => {
      const report = await pc.getStats().catch(() => null);
      const sent = new Map<string, number>();
      const lost = new Map<string, { kind: 'audio' | 'video'; lost: number; ssrc: string }>();
      report?.forEach((s: Record<string, unknown>) => {
        if (s.type === 'outbound-rtp') sent.set(String(s.ssrc), Number(s.packetsSent ?? 0));
        if (s.type === 'remote-inbound-rtp' && (s.kind === 'audio' || s.kind === 'video')) {
          lost.set(String(s.ssrc), { kind: s.kind, lost: Number(s.packetsLost ?? 0), ssrc: String(s.ssrc) });
        }
      });
      for (const r of lost.values()) {
        const packets = sent.get(r.ssrc) ?? 0;
        out.set(`${ids.get(pc)}:${r.ssrc}`, { kind: r.kind, received: Math.max(0, packets - r.lost), lost: r.lost });
      }
    }),
  );
  return out;
}

/** How many simulcast layers the peers' cameras send (outbound-rtp video streams with packets). */
export async function videoLayersSent(): Promise<number[]> {
  const out: number[] = [];
  await Promise.all(
    [...open].map(async (pc) => {
      const report = await pc.getStats().catch(() => null);
      let layers = 0;
      report?.forEach((s: Record<string, unknown>) => {
        if (s.type === 'outbound-rtp' && s.kind === 'video' && Number(s.packetsSent ?? 0) > 0) layers++;
      });
      if (layers > 0) out.push(layers);
    }),
  );
  return out;
}

export function openPeerConnections(): number {
  return open.size;
}
