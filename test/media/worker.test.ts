// mediasoup smoke test: the worker binary from scripts/mediasoup/ensureMediasoupWorker.mjs (cached,
// downloaded or built here) starts, and RTP sent into one PlainTransport comes out of another.
// A cold machine builds the worker first (about 6 minutes on 2 cores); with the cache it is ~1-2 s.
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import type * as mediasoupTypes from 'mediasoup/types';
import { ensureMediasoupWorker } from '../../scripts/mediasoup/ensureMediasoupWorker.mjs';

type Mediasoup = typeof import('mediasoup');

const LOOPBACK = '127.0.0.1';
const WEBRTC_SERVER_PORT = 40713;
const OPUS_SSRC = 0x11223344;
const OPUS_PT = 100;
const VP8_SSRC = 0x55667788;
const VP8_PT = 101;
const PACKETS = 10;

let mediasoup: Mediasoup;
let worker: mediasoupTypes.Worker | undefined;
const sockets: dgram.Socket[] = [];

before(
  async () => {
    const bin = await ensureMediasoupWorker({ log: (line) => process.stderr.write(`${line}\n`) });
    // mediasoup reads the binary path once, when it is imported: set it first.
    process.env.MEDIASOUP_WORKER_BIN = bin;
    mediasoup = await import('mediasoup');
  },
  { timeout: 30 * 60_000 },
);

after(async () => {
  worker?.close();
  for (const s of sockets) s.close();
});

function udpSocket(): Promise<dgram.Socket> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket('udp4');
    sockets.push(socket);
    socket.once('error', reject);
    socket.bind(0, LOOPBACK, () => resolve(socket));
  });
}

function rtpPacket(pt: number, ssrc: number, seq: number, timestamp: number, payload: Buffer): Buffer {
  const header = Buffer.alloc(12);
  header[0] = 0x80; // version 2, no padding, no extension, no CSRC
  header[1] = pt & 0x7f; // marker 0
  header.writeUInt16BE(seq & 0xffff, 2);
  header.writeUInt32BE(timestamp >>> 0, 4);
  header.writeUInt32BE(ssrc >>> 0, 8);
  return Buffer.concat([header, payload]);
}

interface Rtp {
  pt: number;
  ssrc: number;
  seq: number;
  payload: Buffer;
}

/** Parses an RTP packet (skipping CSRCs and header extensions); null for RTCP or garbage. */
function parseRtp(buf: Buffer): Rtp | null {
  if (buf.length < 12 || buf[0] >> 6 !== 2) return null;
  if (buf[1] >= 192 && buf[1] <= 223) return null; // RTCP (rtcp-mux)
  let offset = 12 + (buf[0] & 0x0f) * 4;
  if (buf[0] & 0x10) {
    if (buf.length < offset + 4) return null;
    offset += 4 + buf.readUInt16BE(offset + 2) * 4;
  }
  let end = buf.length;
  if (buf[0] & 0x20) end -= buf[buf.length - 1];
  if (end < offset) return null;
  return { pt: buf[1] & 0x7f, ssrc: buf.readUInt32BE(8), seq: buf.readUInt16BE(2), payload: buf.subarray(offset, end) };
}

// A VP8 key frame start: payload descriptor (S=1, partition 0) + key frame tag, start code, 320x240.
const VP8_KEYFRAME = Buffer.from([0x10, 0x50, 0x02, 0x00, 0x9d, 0x01, 0x2a, 0x40, 0x01, 0xf0, 0x00, ...Array(40).fill(0x5a)]);
const opusPayload = (i: number) => Buffer.from(`cookim-opus-frame-${i}`.padEnd(60, '.'));

test('mediasoup worker forwards RTP from one PlainTransport to another', { timeout: 60_000 }, async () => {
  worker = await mediasoup.createWorker({ logLevel: 'warn' });
  let died: Error | undefined;
  worker.on('died', (err) => {
    died = err;
  });

  const router = await worker.createRouter({
    mediaCodecs: [
      { kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
      { kind: 'video', mimeType: 'video/VP8', clockRate: 90000 },
    ],
  });
  assert.ok(router.rtpCapabilities.codecs?.some((c) => c.mimeType === 'video/VP8'));
  assert.ok(router.rtpCapabilities.codecs?.some((c) => c.mimeType === 'audio/opus'));

  // WebRtcServer on a fixed loopback port, and a WebRtcTransport that uses it.
  const webRtcServer = await worker.createWebRtcServer({
    listenInfos: [{ protocol: 'udp', ip: LOOPBACK, port: WEBRTC_SERVER_PORT }],
  });
  const webRtcTransport = await router.createWebRtcTransport({ webRtcServer });
  assert.deepEqual(
    webRtcTransport.iceCandidates.map((c) => [c.protocol, c.address, c.port]),
    [['udp', LOOPBACK, WEBRTC_SERVER_PORT]],
  );
  assert.equal(webRtcTransport.dtlsParameters.fingerprints.length > 0, true);

  // Sender side: comedia, so the transport learns our address from the first packet.
  const sendTransport = await router.createPlainTransport({
    listenInfo: { protocol: 'udp', ip: LOOPBACK },
    rtcpMux: true,
    comedia: true,
  });
  // Receiver side: mediasoup sends to the socket we connect it to.
  const recvSocket = await udpSocket();
  const recvTransport = await router.createPlainTransport({
    listenInfo: { protocol: 'udp', ip: LOOPBACK },
    rtcpMux: true,
    comedia: false,
  });
  await recvTransport.connect({ ip: LOOPBACK, port: (recvSocket.address() as AddressInfo).port });

  const audioProducer = await sendTransport.produce({
    kind: 'audio',
    rtpParameters: {
      codecs: [{ mimeType: 'audio/opus', payloadType: OPUS_PT, clockRate: 48000, channels: 2 }],
      encodings: [{ ssrc: OPUS_SSRC }],
    },
  });
  const videoProducer = await sendTransport.produce({
    kind: 'video',
    rtpParameters: {
      codecs: [{ mimeType: 'video/VP8', payloadType: VP8_PT, clockRate: 90000 }],
      encodings: [{ ssrc: VP8_SSRC }],
    },
  });
  const audioConsumer = await recvTransport.consume({
    producerId: audioProducer.id,
    rtpCapabilities: router.rtpCapabilities,
  });
  const videoConsumer = await recvTransport.consume({
    producerId: videoProducer.id,
    rtpCapabilities: router.rtpCapabilities,
  });
  const audioOut = { ssrc: audioConsumer.rtpParameters.encodings![0].ssrc!, pt: audioConsumer.rtpParameters.codecs[0].payloadType };
  const videoOut = { ssrc: videoConsumer.rtpParameters.encodings![0].ssrc!, pt: videoConsumer.rtpParameters.codecs[0].payloadType };

  const audioReceived: Rtp[] = [];
  const videoReceived: Rtp[] = [];
  const allArrived = new Promise<void>((resolve) => {
    recvSocket.on('message', (msg) => {
      const rtp = parseRtp(msg);
      if (!rtp) return;
      if (rtp.ssrc === audioOut.ssrc) audioReceived.push(rtp);
      if (rtp.ssrc === videoOut.ssrc) videoReceived.push(rtp);
      if (audioReceived.length >= PACKETS && videoReceived.length >= PACKETS) resolve();
    });
  });

  const sendSocket = await udpSocket();
  const target = sendTransport.tuple.localPort;
  const send = (buf: Buffer) =>
    new Promise<void>((resolve, reject) => sendSocket.send(buf, target, LOOPBACK, (err) => (err ? reject(err) : resolve())));
  for (let i = 0; i < PACKETS; i++) {
    await send(rtpPacket(OPUS_PT, OPUS_SSRC, 1000 + i, 960 * i, opusPayload(i)));
    await send(rtpPacket(VP8_PT, VP8_SSRC, 5000 + i, 3000 * i, VP8_KEYFRAME));
    await new Promise((r) => setTimeout(r, 20));
  }
  await Promise.race([allArrived, new Promise((r) => setTimeout(r, 5000))]);

  assert.equal(died, undefined, 'worker died');
  assert.equal(audioReceived.length, PACKETS, `audio packets received: ${audioReceived.length}/${PACKETS}`);
  assert.equal(videoReceived.length, PACKETS, `video packets received: ${videoReceived.length}/${PACKETS}`);
  for (const rtp of audioReceived) assert.equal(rtp.pt, audioOut.pt);
  for (const rtp of videoReceived) assert.equal(rtp.pt, videoOut.pt);
  // Payloads pass through untouched, in order.
  assert.deepEqual(
    audioReceived.map((r) => r.payload.toString()),
    Array.from({ length: PACKETS }, (_, i) => opusPayload(i).toString()),
  );
  assert.ok(videoReceived.every((r) => r.payload.equals(VP8_KEYFRAME)));

  const stats = await audioProducer.getStats();
  assert.equal(stats[0]?.packetCount, PACKETS);
  assert.equal(sendTransport.tuple.remotePort, (sendSocket.address() as AddressInfo).port);

  webRtcTransport.close();
  webRtcServer.close();
  sendTransport.close();
  recvTransport.close();
  router.close();
  assert.equal(router.closed, true);
});

// The worker here is built against Debian's libsrtp2 through scripts/mediasoup/shims/srtp.h: send
// RTP through an SRTP-encrypted PlainTransport hop (encrypt on one transport, decrypt on another).
test('RTP survives an SRTP hop between two PlainTransports', { timeout: 60_000 }, async () => {
  assert.ok(worker, 'the worker from the first test is still running');
  const router = await worker.createRouter({
    mediaCodecs: [{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 }],
  });
  const plain = { listenInfo: { protocol: 'udp' as const, ip: LOOPBACK }, rtcpMux: true };
  const srtp = { ...plain, comedia: false, enableSrtp: true, srtpCryptoSuite: 'AES_CM_128_HMAC_SHA1_80' as const };

  const ingress = await router.createPlainTransport({ ...plain, comedia: true });
  const srtpOut = await router.createPlainTransport(srtp);
  const srtpIn = await router.createPlainTransport(srtp);
  assert.ok(srtpOut.srtpParameters && srtpIn.srtpParameters);
  await srtpOut.connect({ ip: LOOPBACK, port: srtpIn.tuple.localPort, srtpParameters: srtpIn.srtpParameters });
  await srtpIn.connect({ ip: LOOPBACK, port: srtpOut.tuple.localPort, srtpParameters: srtpOut.srtpParameters });
  const recvSocket = await udpSocket();
  const egress = await router.createPlainTransport({ ...plain, comedia: false });
  await egress.connect({ ip: LOOPBACK, port: (recvSocket.address() as AddressInfo).port });

  const producer = await ingress.produce({
    kind: 'audio',
    rtpParameters: {
      codecs: [{ mimeType: 'audio/opus', payloadType: OPUS_PT, clockRate: 48000, channels: 2 }],
      encodings: [{ ssrc: OPUS_SSRC }],
    },
  });
  const encrypted = await srtpOut.consume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities });
  const decrypted = await srtpIn.produce({ kind: 'audio', rtpParameters: encrypted.rtpParameters });
  const consumer = await egress.consume({ producerId: decrypted.id, rtpCapabilities: router.rtpCapabilities });
  const outSsrc = consumer.rtpParameters.encodings![0].ssrc!;

  const received: Rtp[] = [];
  const allArrived = new Promise<void>((resolve) => {
    recvSocket.on('message', (msg) => {
      const rtp = parseRtp(msg);
      if (rtp?.ssrc === outSsrc) received.push(rtp);
      if (received.length >= PACKETS) resolve();
    });
  });
  const sendSocket = await udpSocket();
  for (let i = 0; i < PACKETS; i++) {
    sendSocket.send(rtpPacket(OPUS_PT, OPUS_SSRC, 2000 + i, 960 * i, opusPayload(i)), ingress.tuple.localPort, LOOPBACK);
    await new Promise((r) => setTimeout(r, 20));
  }
  await Promise.race([allArrived, new Promise((r) => setTimeout(r, 5000))]);

  assert.equal(received.length, PACKETS, `packets through the SRTP hop: ${received.length}/${PACKETS}`);
  assert.deepEqual(
    received.map((r) => r.payload.toString()),
    Array.from({ length: PACKETS }, (_, i) => opusPayload(i).toString()),
  );
  const [inStats] = await srtpIn.getStats();
  assert.ok(inStats.rtpBytesReceived > 0, 'the SRTP transport decrypted RTP');

  router.close();
  worker!.close();
  assert.equal(worker!.closed, true);
  worker = undefined;
});
