// mediasoup smoke test: the worker binary from standins/mediasoup/ensureMediasoupWorker.mjs (cached,
// downloaded or built here) starts, RTP sent into one PlainTransport comes out of another (also
// through an SRTP hop), and a real WebRTC peer (mediasoup-client over @roamhq/wrtc) completes ICE +
// DTLS with a WebRtcTransport in both DTLS roles and sends audio into it.
// A cold machine builds the worker first (about 6 minutes on 2 cores); with the cache it is ~1-2 s.
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type * as mediasoupTypes from 'mediasoup/types';
import type { types as mc } from 'mediasoup-client';
import { ensureMediasoupWorker } from '../../standins/mediasoup/ensureMediasoupWorker.mjs';

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

// The worker here is built against Debian's libsrtp2 through standins/mediasoup/shims/srtp.h: send
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

// The offline build links Debian's libssl3, which (unlike the OpenSSL mediasoup pins) has kTLS; the
// worker used to die with SIGSEGV on the first DTLS record (standins/mediasoup/patches/0001). A
// mediasoup-client Device with the Chrome111 handler over wrtc's RTCPeerConnection connects to a
// WebRtcTransport on a WebRtcServer and produces a synthetic audio track: DTLS must reach
// 'connected' and the producer must count RTP. Done twice: worker as DTLS server (the usual case,
// the browser offers) and as DTLS client (the server announces role 'client').
test('a WebRTC peer completes DTLS with a WebRtcTransport and its RTP arrives', { timeout: 120_000 }, async () => {
  // the kit's media module installs wrtc's peer connection as the globals the handler expects
  const { NODE_HANDLER, SyntheticDevices } = await import('../support/media');
  const { Device } = await import('mediasoup-client');

  worker = await mediasoup.createWorker({ logLevel: 'warn' });
  const state: { died?: Error } = {};
  worker.on('died', (err) => {
    state.died = err;
  });
  const router = await worker.createRouter({
    mediaCodecs: [{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 }],
  });
  const webRtcServer = await worker.createWebRtcServer({ listenInfos: [{ protocol: 'udp', ip: LOOPBACK }] });
  const device = new Device({ handlerName: NODE_HANDLER });
  await device.load({ routerRtpCapabilities: router.rtpCapabilities as unknown as mc.RtpCapabilities });

  const devices = new SyntheticDevices();
  const track = (await devices.getUserMedia({ audio: true })).getAudioTracks()[0]!;
  try {
    // No subtests: node:test keeps subtest functions (and so this scope's wrtc objects) alive to the end.
    for (const workerRole of ['server', 'client'] as const) {
      await webRtcRoundTrip({ router, webRtcServer, device, track, workerRole, state });
    }
    assert.equal(state.died, undefined, 'worker died');
  } finally {
    devices.close();
    router.close();
    worker.close();
    worker = undefined;
  }
});

// @roamhq/wrtc crashes the process when Node tears the environment down while its objects (the
// audio source, track, transceivers) are still alive (SIGSEGV/abort in their finalizers, after all
// tests passed). Collect them while the process still runs; the test above keeps no references.
after(async () => {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 10));
  }
});

/** One peer connection: DTLS in the given worker role must connect and RTP must reach the producer. */
async function webRtcRoundTrip({
  router,
  webRtcServer,
  device,
  track,
  workerRole,
  state,
}: {
  router: mediasoupTypes.Router;
  webRtcServer: mediasoupTypes.WebRtcServer;
  device: mc.Device;
  track: MediaStreamTrack;
  workerRole: 'server' | 'client';
  state: { died?: Error };
}): Promise<void> {
  const until = async (what: string, check: () => Promise<boolean> | boolean, timeoutMs = 15_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      assert.equal(state.died, undefined, `worker died while waiting for ${what} (worker as DTLS ${workerRole})`);
      if (await check()) return;
      assert.ok(Date.now() < deadline, `timed out waiting for ${what} (worker as DTLS ${workerRole})`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  const transport = await router.createWebRtcTransport({ webRtcServer });
  const dtlsStates: string[] = [];
  transport.on('dtlsstatechange', (s) => dtlsStates.push(s));
  // role 'auto' (the default) lets the peer pick 'client'; announcing 'client' makes the peer the server.
  const dtlsParameters = { ...transport.dtlsParameters, role: workerRole === 'client' ? ('client' as const) : ('auto' as const) };
  const sendTransport = device.createSendTransport({
    id: transport.id,
    iceParameters: transport.iceParameters as unknown as mc.IceParameters,
    iceCandidates: transport.iceCandidates as unknown as mc.IceCandidate[],
    dtlsParameters: dtlsParameters as unknown as mc.DtlsParameters,
  });
  let peerDtlsRole: string | undefined;
  sendTransport.on('connect', ({ dtlsParameters: peer }, ok, fail) => {
    peerDtlsRole = peer.role;
    transport.connect({ dtlsParameters: peer as unknown as mediasoupTypes.DtlsParameters }).then(ok, fail);
  });
  let producer: mediasoupTypes.Producer | undefined;
  sendTransport.on('produce', ({ kind, rtpParameters }, ok, fail) => {
    transport.produce({ kind, rtpParameters: rtpParameters as unknown as mediasoupTypes.RtpParameters }).then((p) => {
      producer = p;
      ok({ id: p.id });
    }, fail);
  });

  let peerProducer: mc.Producer | undefined;
  try {
    peerProducer = await sendTransport.produce({ track, stopTracks: false });
    assert.equal(peerDtlsRole, workerRole === 'server' ? 'client' : 'server', 'DTLS role the peer took');
    await until('DTLS connected', () => {
      assert.ok(!['failed', 'closed'].includes(transport.dtlsState), `DTLS ${transport.dtlsState} (${dtlsStates.join(' -> ')})`);
      return transport.dtlsState === 'connected';
    });
    assert.deepEqual(dtlsStates, ['connecting', 'connected']);
    await until('RTP from the peer', async () => {
      const [stat] = producer ? await producer.getStats() : [];
      return (stat?.packetCount ?? 0) > 0 && (stat?.byteCount ?? 0) > 0;
    });
    const [transportStats] = await transport.getStats();
    assert.equal(transportStats.dtlsState, 'connected');
    assert.ok(['connected', 'completed'].includes(transportStats.iceState), `ICE ${transportStats.iceState}`);
    assert.ok(transportStats.rtpBytesReceived > 0, 'SRTP decrypted on the WebRtcTransport');
  } finally {
    peerProducer?.close();
    sendTransport.close();
    transport.close();
  }
}
