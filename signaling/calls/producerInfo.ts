import type { ProducerRecord } from '../../media';
import type { ProducerInfo } from '../protocol/calls';

/** A room's producer as call clients see it. */
export function producerInfo(p: ProducerRecord): ProducerInfo {
  return { producerId: p.producerId, uid: p.peerId, kind: p.kind, source: p.source, paused: p.paused };
}
