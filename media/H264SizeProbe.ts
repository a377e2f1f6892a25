import type { types } from 'mediasoup';
import { rtpPayload, spsSizeOfRtpPayload } from './h264Sps';

/**
 * The picture size of an H.264 producer, from the first SPS it sends: a consumer on a
 * DirectTransport reads its RTP in this process (keyframes requested, an SPS precedes each),
 * then is closed. Null after `timeoutMs` or for another codec.
 */
export async function probeH264Size(router: types.Router, producerId: string, timeoutMs: number): Promise<{ width: number; height: number } | null> {
  const transport = await router.createDirectTransport();
  try {
    const consumer = await transport.consume({ producerId, rtpCapabilities: router.rtpCapabilities });
    const codec = consumer.rtpParameters.codecs[0];
    if (!codec || codec.mimeType.toLowerCase() !== 'video/h264') return null;
    const payloadType = codec.payloadType;
    return await new Promise((resolve) => {
      const timer = setTimeout(() => done(null), timeoutMs);
      const asking = setInterval(() => void consumer.requestKeyFrame().catch(() => undefined), 500);
      const done = (size: { width: number; height: number } | null) => {
        clearTimeout(timer);
        clearInterval(asking);
        consumer.removeAllListeners('rtp');
        resolve(size);
      };
      consumer.on('rtp', (packet) => {
        if ((packet[1]! & 0x7f) !== payloadType) return;
        const payload = rtpPayload(packet);
        const size = payload && spsSizeOfRtpPayload(payload);
        if (size) done(size);
      });
      void consumer.requestKeyFrame().catch(() => undefined);
    });
  } finally {
    transport.close();
  }
}
