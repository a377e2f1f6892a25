/**
 * The mediasoup-client pieces calls and live streams share: the library itself (loaded on first
 * use, in a chunk of its own), a Device loaded with a router's capabilities, and WebRTC transports
 * built from the server's TransportInfo whose `connect` / `produce` events go out as requests.
 */
import type { Device, types as mc } from 'mediasoup-client';
import type { JsonObject, MediaSource, TransportInfo } from '@protocol';

let mediasoupClient: Promise<typeof import('mediasoup-client')> | null = null;

export function loadMediasoupClient(): Promise<typeof import('mediasoup-client')> {
  mediasoupClient ??= import('mediasoup-client').catch((error: unknown) => {
    // a failed chunk load (network) may work next time
    mediasoupClient = null;
    throw error;
  });
  return mediasoupClient;
}

/**
 * Which WebRTC handler mediasoup-client drives: detected from the browser when absent; named where
 * there is no browser to detect (Node tests run the engines over @roamhq/wrtc with 'Chrome111').
 */
export type HandlerName = mc.BuiltinHandlerName;

export async function loadDevice(routerRtpCapabilities: JsonObject, handlerName?: HandlerName): Promise<Device> {
  const client = await loadMediasoupClient();
  const device = await client.Device.factory(handlerName ? { handlerName } : {});
  await device.load({ routerRtpCapabilities: routerRtpCapabilities as mc.RtpCapabilities });
  return device;
}

/** How a transport's negotiation reaches the server. */
export interface TransportSignaling {
  connect(dtlsParameters: JsonObject): Promise<unknown>;
  /** Send transports: announces a new producer and answers its server-side id. */
  produce?(kind: 'audio' | 'video', rtpParameters: JsonObject, source: MediaSource): Promise<{ producerId: string }>;
}

export function createTransport(device: Device, direction: 'send' | 'recv', info: TransportInfo, signaling: TransportSignaling): mc.Transport {
  // the protocol carries mediasoup's own parameter objects as plain JSON: read them back as such
  const options: mc.TransportOptions = {
    id: info.transportId,
    iceParameters: info.iceParameters as mc.IceParameters,
    iceCandidates: info.iceCandidates as mc.IceCandidate[],
    dtlsParameters: info.dtlsParameters as mc.DtlsParameters,
  };
  const transport = direction === 'send' ? device.createSendTransport(options) : device.createRecvTransport(options);
  transport.on('connect', ({ dtlsParameters }, done, fail) => {
    signaling.connect(dtlsParameters).then(() => done(), fail);
  });
  const produce = signaling.produce;
  if (direction === 'send' && produce) {
    transport.on('produce', ({ kind, rtpParameters, appData }, done, fail) => {
      produce(kind, rtpParameters, (appData as { source: MediaSource }).source).then(
        ({ producerId }) => done({ id: producerId }),
        fail,
      );
    });
  }
  return transport;
}
