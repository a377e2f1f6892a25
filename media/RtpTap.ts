import { createSocket } from 'node:dgram';
import type { types } from 'mediasoup';
import { MediaRequestError } from './errors';
import type { RtpTapOptions, TappedTrack } from './RtpTapTypes';

/**
 * Hands a room's producers to a plain-RTP receiver on loopback (ffmpeg for HLS): per track a
 * PlainTransport that sends to the receiver's port pair (RTP, RTCP on port + 1) and a consumer,
 * created paused so nothing is sent before the receiver listens. `sdp()` describes the tracks in
 * the form ffmpeg reads.
 */
export class RtpTap {
  private constructor(
    readonly tracks: TappedTrack[],
    private readonly transports: types.PlainTransport[],
    private readonly consumers: types.Consumer[],
    private readonly ip: string,
  ) {}

  static async create(options: RtpTapOptions): Promise<RtpTap> {
    const ip = options.ip ?? '127.0.0.1';
    const transports: types.PlainTransport[] = [];
    const consumers: types.Consumer[] = [];
    const tracks: TappedTrack[] = [];
    try {
      for (const producerId of options.producerIds) {
        const transport = await options.router.createPlainTransport({
          listenInfo: { protocol: 'udp', ip },
          rtcpMux: false,
          comedia: false,
        });
        transports.push(transport);
        const port = await freePortPair(ip);
        await transport.connect({ ip, port, rtcpPort: port + 1 });
        const consumer = await transport.consume({ producerId, rtpCapabilities: options.router.rtpCapabilities, paused: true });
        consumers.push(consumer);
        const codec = consumer.rtpParameters.codecs.find((c) => !/\/(rtx|red|ulpfec)$/i.test(c.mimeType));
        if (!codec) throw new MediaRequestError(`no media codec to tap for producer ${producerId}`);
        tracks.push({
          kind: consumer.kind,
          port,
          payloadType: codec.payloadType,
          mimeType: codec.mimeType,
          clockRate: codec.clockRate,
          ...(codec.channels ? { channels: codec.channels } : {}),
          parameters: { ...(codec.parameters ?? {}) },
        });
      }
    } catch (err) {
      for (const t of transports) t.close();
      throw err;
    }
    return new RtpTap(tracks, transports, consumers, ip);
  }

  get hasAudio(): boolean {
    return this.tracks.some((t) => t.kind === 'audio');
  }

  get hasVideo(): boolean {
    return this.tracks.some((t) => t.kind === 'video');
  }

  /** The session description a receiver opens (`ffmpeg -i tap.sdp`). */
  sdp(): string {
    const lines = ['v=0', `o=- 0 0 IN IP4 ${this.ip}`, 's=CookIM live', `c=IN IP4 ${this.ip}`, 't=0 0'];
    for (const t of this.tracks) {
      const [, codecName] = t.mimeType.split('/');
      lines.push(`m=${t.kind} ${t.port} RTP/AVP ${t.payloadType}`);
      lines.push(`a=rtpmap:${t.payloadType} ${codecName}/${t.clockRate}${t.channels && t.channels > 1 ? `/${t.channels}` : ''}`);
      const fmtp = Object.entries(t.parameters).map(([k, v]) => `${k}=${String(v)}`);
      if (fmtp.length) lines.push(`a=fmtp:${t.payloadType} ${fmtp.join(';')}`);
      lines.push('a=recvonly');
    }
    return `${lines.join('\r\n')}\r\n`;
  }

  /** Starts sending (the receiver listens now). */
  async resume(): Promise<void> {
    await Promise.all(this.consumers.map((c) => (c.closed ? undefined : c.resume())));
  }

  /** A keyframe from the publisher: a decoder that starts (or lost packets) needs one. */
  async requestKeyFrame(): Promise<void> {
    await Promise.all(this.consumers.filter((c) => c.kind === 'video' && !c.closed).map((c) => c.requestKeyFrame().catch(() => undefined)));
  }

  close(): void {
    for (const t of this.transports) if (!t.closed) t.close();
  }
}

/** An even UDP port whose successor is free too (RTP and RTCP), from the kernel's ephemeral range. */
async function freePortPair(ip: string): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 20_000 + 2 * Math.floor(Math.random() * 14_000);
    if ((await canBind(ip, port)) && (await canBind(ip, port + 1))) return port;
  }
  throw new MediaRequestError('no free UDP port pair for the RTP tap');
}

function canBind(ip: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    socket.once('error', () => {
      socket.close();
      resolve(false);
    });
    socket.bind(port, ip, () => socket.close(() => resolve(true)));
  });
}
