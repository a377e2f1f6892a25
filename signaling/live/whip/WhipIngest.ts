import { randomBytes, randomUUID } from 'node:crypto';
import type { Room, TransportConnectivity } from '../../../media';
import type { UserStore } from '../../../storage/UserStore';
import { UserSlots } from '../../../storage/UserSlots';
import type { LiveDeps } from '../LiveDeps';
import type { LiveEnding } from '../LiveEnding';
import type { LiveMedia } from '../LiveMedia';
import type { LivePublishing } from '../LivePublishing';
import type { LiveStream } from '../LiveStream';
import type { LiveStreams } from '../LiveStreams';
import { STALE_MS } from '../liveTiming';
import type { StreamKeyService } from './StreamKeyService';
import { writeAnswer } from './whipAnswer';
import { WHIP_CONNECTION_PREFIX } from './whipConnection';
import { KeyAlreadyLiveError, WhipResourceNotFoundError } from './whipErrors';
import { readOffer } from './whipOffer';

/** The shortest wait for an encoder whose media stopped (ICE lost) before its stream ends. */
const GONE_MIN_MS = 5_000;

/** What a WHIP publish answers: the SDP answer and the resource to DELETE. */
export interface WhipSession {
  resourceId: string;
  streamid: string;
  answer: string;
}

/**
 * WHIP ingest (RFC 9725, S27) on the process that receives the POST: the stream key names the
 * user, title and conversation; the offer becomes a send transport on the node's WebRtcServer and
 * its producers, and once the encoder's media is up the stream goes live through the same path as
 * a browser publisher (HLS, listing, chat announcement). One stream per key at a time, across
 * every node (a place held like the user's own). The stream ends on DELETE of its resource, or
 * when the encoder's media goes away for good.
 */
export class WhipIngest {
  /** Resource id -> stream id, for the streams this process runs. */
  private readonly resources = new Map<string, string>();
  private readonly keySlots: UserSlots;
  /** Streams whose goLive runs (ICE and DTLS both report "connected"). */
  private readonly goingLive = new Set<string>();

  constructor(
    private readonly deps: LiveDeps & { users: Pick<UserStore, 'get'> },
    private readonly keys: StreamKeyService,
    private readonly streams: LiveStreams,
    private readonly publishing: LivePublishing,
    private readonly media: LiveMedia,
    private readonly ending: LiveEnding,
  ) {
    this.keySlots = new UserSlots(deps.db, STALE_MS);
  }

  async publish(presentedKey: string | null, offerSdp: string): Promise<WhipSession> {
    const key = await this.keys.verify(presentedKey);
    const user = await this.deps.users.get(key.uid);
    if (key.sessionid) await this.keys.requireMember(key.sessionid, key.uid);
    this.prune();
    const streamid = randomUUID();
    const resourceId = randomBytes(16).toString('hex');
    // Freed with the stream's other places when it ends (LivePlaces.release frees every place it holds).
    if (!(await this.keySlots.claim(`streamkey:${key._id}`, 'whip', streamid, 1))) throw new KeyAlreadyLiveError();
    let opened: { stream: LiveStream; room: Room };
    try {
      opened = await this.publishing.open({ uid: key.uid, nickname: user.nickname }, `${WHIP_CONNECTION_PREFIX}${resourceId}`, {
        title: key.title,
        visibility: key.sessionid ? 'members' : 'public',
        sessionid: key.sessionid,
        streamid,
      });
    } catch (err) {
      await this.keySlots.release(streamid).catch(() => undefined);
      throw err;
    }
    const { stream, room } = opened;
    const peer = stream.publisher.uid;
    let answer: string;
    try {
      const offer = readOffer(offerSdp, room.rtpCapabilities);
      const transport = await room.createWebRtcTransport(peer, 'send');
      await room.connectTransport(peer, transport.transportId, offer.dtlsParameters);
      for (const { track } of offer.sections) {
        if (track) await room.produce(peer, transport.transportId, track.kind, track.rtpParameters, track.kind === 'audio' ? 'mic' : 'camera');
      }
      answer = writeAnswer(offer, transport, String(Date.now()));
      room.watchTransport(peer, transport.transportId, (state) => this.onConnectivity(stream, room, state));
    } catch (err) {
      await this.ending.end(stream, 'media_lost');
      throw err;
    }
    // An encoder whose media never arrives does not hold the stream (and its places).
    this.media.awaitTracks(stream);
    this.resources.set(resourceId, streamid);
    this.deps.logger.info({ streamid, keyid: key._id }, 'WHIP publish answered');
    return { resourceId, streamid, answer };
  }

  /** DELETE of the resource: the stream ends (ENDLIST written), on whichever process runs it. */
  async end(resourceId: string): Promise<void> {
    if (await this.endHere(resourceId)) return;
    if (!(await this.deps.peers.endWhip(resourceId))) throw new WhipResourceNotFoundError();
  }

  /** Ends the resource's stream when this process runs it (else false). */
  async endHere(resourceId: string): Promise<boolean> {
    const stream = this.streams.get(this.resources.get(resourceId) ?? '');
    this.resources.delete(resourceId);
    if (!stream) return false;
    await this.ending.end(stream, 'stopped');
    return true;
  }

  private onConnectivity(stream: LiveStream, room: Room, state: TransportConnectivity): void {
    if (!this.streams.has(stream.streamid) || stream.room !== room) return;
    const { logger, config } = this.deps;
    if (stream.graceTimer) clearTimeout(stream.graceTimer);
    stream.graceTimer = null;
    if (state === 'closed') {
      void this.ending.end(stream, 'publisher_left');
    } else if (state === 'disconnected') {
      const waitMs = Math.max(GONE_MIN_MS, config.liveResumeGrace * 1000);
      stream.graceTimer = setTimeout(() => void this.ending.end(stream, 'publisher_left'), waitMs);
      logger.info({ streamid: stream.streamid, waitMs }, 'WHIP encoder media lost; waiting for it');
    } else if (!stream.pipeline && !stream.listed && !this.goingLive.has(stream.streamid)) {
      logger.info({ streamid: stream.streamid }, 'WHIP encoder connected; going live');
      this.goingLive.add(stream.streamid);
      this.publishing
        .goLive(stream, room)
        .catch((err) => {
          logger.warn({ err, streamid: stream.streamid }, 'a WHIP stream could not go live');
          void this.ending.end(stream, 'media_lost');
        })
        .finally(() => this.goingLive.delete(stream.streamid));
    }
  }

  /** Forgets the resources of streams that ended otherwise (their encoder left, the server is full...). */
  private prune(): void {
    for (const [resourceId, streamid] of this.resources) if (!this.streams.has(streamid)) this.resources.delete(resourceId);
  }
}
