import type { ProducerRecord, Room } from '../../media';
import type { MediaRoomSupervisor } from '../media-rooms/MediaRoomSupervisor';
import type { JoinResult, ProducerInfo } from '../protocol/calls';
import type { CallDeps } from './CallDeps';
import { CallLeg } from './CallLeg';
import type { CallAudioChoice, CallLegNotice, CallLegUpdate } from './CallLegTypes';
import { ConsumerFlow } from './ConsumerFlow';
import type { CallPipes } from './CallPipes';
import type { CallRequester } from './CallTypes';
import { producerInfo } from './producerInfo';

/**
 * The legs on this process of calls owned elsewhere: a participant whose socket is here joins
 * through the owner, then negotiates its media here, on a room of this process's workers.
 * Producer changes go to the owner (`call:legNotice`), which tells the others; the owner's
 * `call:legUpdate` ends a participant's media here, or the whole leg, and carries the call's audio
 * choice, which the leg's consumers follow as the owner's do (a new leg asks the owner for it).
 */
export class CallLegs {
  private readonly legs = new Map<string, CallLeg>();

  constructor(
    private readonly deps: CallDeps,
    private readonly rooms: MediaRoomSupervisor,
    private readonly pipes: CallPipes,
  ) {
    deps.io.of('/').on('call:legUpdate', (update) => this.update(update));
  }

  get(callid: string): CallLeg | undefined {
    return this.legs.get(callid);
  }

  all(): CallLeg[] {
    return [...this.legs.values()];
  }

  /** The leg where the requester's socket joined the call, if it did here. */
  joinedLeg(callid: string, requester: CallRequester): CallLeg | undefined {
    const leg = this.legs.get(callid);
    return leg && leg.peers.get(requester.uid) === requester.socketId && requester.sessions.includes(leg.sessionid) ? leg : undefined;
  }

  /**
   * The owner accepted the requester's join: its media will be here. Skipped (the owner then
   * serves its media, as before calls spread) when this process has no media pool.
   */
  async joined(result: JoinResult, requester: CallRequester): Promise<void> {
    if (!this.rooms.running) return;
    const { callid, sessionid } = result.call;
    let leg = this.legs.get(callid);
    if (!leg) {
      leg = new CallLeg(callid, sessionid);
      this.legs.set(callid, leg);
      // Changes told before this leg existed were not heard here: the owner says the choice now.
      void this.askAudio(leg);
    }
    // Joining again (another tab, or after call:reconnectMedia) starts this user's media afresh.
    this.dropPeer(leg, requester.uid, false);
    await this.roomOf(leg);
    leg.peers.set(requester.uid, requester.socketId);
  }

  /** The requester left the call (the owner has been told). */
  left(callid: string, requester: CallRequester): void {
    const leg = this.legs.get(callid);
    if (leg && leg.peers.get(requester.uid) === requester.socketId) this.dropPeer(leg, requester.uid);
  }

  /** A socket of this process went away: its media here ends. */
  socketGone(socketId: string): void {
    for (const leg of this.all()) for (const [uid, socket] of [...leg.peers]) if (socket === socketId) this.dropPeer(leg, uid);
  }

  /** Tells the owner of a producer change of a participant whose media is here. */
  async notice(leg: CallLeg, uid: string, change: CallLegNotice['change'], records: ProducerRecord[]): Promise<void> {
    const socketId = leg.peers.get(uid);
    if (!socketId || !records.length) return;
    for (const r of records) {
      if (change === 'closed') leg.announced.delete(r.producerId);
      else leg.announced.set(r.producerId, uid);
    }
    await this.deps.peers
      .callLegNotice({ callid: leg.callid, uid, socketId, change, producers: records.map(producerInfo) })
      .catch((err: unknown) => this.deps.logger.warn({ err, callid: leg.callid }, 'telling the call owner of a producer failed'));
  }

  /** Shutdown: every leg's room closes. */
  close(): void {
    for (const leg of this.all()) this.closeLeg(leg);
  }

  private update({ callid, drop, closed, audio, ended }: CallLegUpdate): void {
    const leg = this.legs.get(callid);
    if (!leg) return;
    if (ended) {
      this.closeLeg(leg);
      return;
    }
    for (const producerId of closed ?? []) leg.room?.dropImport(producerId);
    if (audio) this.hearAudio(leg, audio);
    if (drop && leg.peers.get(drop.uid) === drop.socketId) this.dropPeer(leg, drop.uid);
  }

  private async askAudio(leg: CallLeg): Promise<void> {
    const audio = await this.deps.peers.callAudioChoice(leg.callid).catch(() => null);
    if (audio) this.hearAudio(leg, audio);
  }

  /** The owner's audio choice, unless a newer one came first (an update and an ask's answer race). */
  private hearAudio(leg: CallLeg, audio: CallAudioChoice): void {
    if (audio.seq <= leg.audio.seq) return;
    leg.audio = audio;
    leg.flow?.choose(audio);
  }

  /** Closes the user's media here (the owner tells the others of its producers); a leg left empty closes. */
  private dropPeer(leg: CallLeg, uid: string, closeIfEmpty = true): void {
    leg.peers.delete(uid);
    for (const p of leg.room?.removePeer(uid) ?? []) leg.announced.delete(p.producerId);
    for (const [producerId, owner] of [...leg.announced]) if (owner === uid) leg.announced.delete(producerId);
    if (closeIfEmpty && leg.peers.size === 0 && !leg.opening) this.closeLeg(leg);
  }

  private closeLeg(leg: CallLeg): void {
    if (this.legs.get(leg.callid) === leg) this.legs.delete(leg.callid);
    leg.room?.close();
    leg.room = null;
    leg.flow = null;
    leg.peers.clear();
  }

  private async roomOf(leg: CallLeg): Promise<Room> {
    if (leg.room && !leg.room.closed) return leg.room;
    if (!leg.opening) {
      leg.opening = this.rooms
        .createRoom(leg.callid)
        .then((room) => {
          this.attach(leg, room);
          return room;
        })
        .finally(() => {
          leg.opening = null;
        });
    }
    return leg.opening;
  }

  /** The leg's room events, to the sockets of this process. */
  private attach(leg: CallLeg, room: Room): void {
    const { io, logger } = this.deps;
    const { callid } = leg;
    if (this.legs.get(callid) !== leg) {
      room.close();
      return;
    }
    leg.room = room;
    leg.flow = new ConsumerFlow(room, leg.audio);
    this.pipes.attach(callid, room);
    const toPeer = (uid: string) => leg.peers.get(uid);
    room.on('consumerClosed', ({ peerId, consumerId }) => {
      const socket = toPeer(peerId);
      if (socket) io.to(socket).emit('call:consumer:closed', { callid, consumerId });
    });
    room.on('consumerLayers', ({ peerId, consumerId, spatialLayer, temporalLayer }) => {
      const socket = toPeer(peerId);
      if (socket) io.to(socket).emit('call:consumer:layers', { callid, consumerId, spatialLayer, temporalLayer });
    });
    room.on('consumerScore', ({ peerId, consumerId, score, producerScore }) => {
      const socket = toPeer(peerId);
      if (socket) io.to(socket).emit('call:consumer:score', { callid, consumerId, score, producerScore });
    });
    // A dead worker: its participants here negotiate again; the owner tells the others their producers closed.
    room.on('peersLost', ({ workerPid, peerIds, producers }) => {
      logger.warn({ callid, workerPid, uids: peerIds }, 'a mediasoup worker of a call leg died; its participants reconnect their media');
      this.mediaLost(leg, peerIds, producers.map((p) => ({ ...p })));
    });
    room.on('closed', ({ lost }) => {
      if (!lost || leg.room !== room) return;
      leg.room = null;
      const producers = [...leg.announced].map(([producerId, uid]) => ({ producerId, peerId: uid }));
      this.mediaLost(leg, [...leg.peers.keys()], producers);
    });
  }

  private mediaLost(leg: CallLeg, uids: string[], producers: { producerId: string; peerId: string }[]): void {
    const { io } = this.deps;
    const sockets = uids.map((uid) => leg.peers.get(uid)).filter((s): s is string => !!s);
    for (const uid of uids) {
      const closed = producers.filter((p) => p.peerId === uid).map((p) => closedInfo(p.producerId, uid));
      void this.noticeInfos(leg, uid, closed);
    }
    if (sockets.length) io.to(sockets).emit('call:reconnectMedia', { callid: leg.callid });
  }

  private async noticeInfos(leg: CallLeg, uid: string, producers: ProducerInfo[]): Promise<void> {
    const socketId = leg.peers.get(uid);
    for (const p of producers) leg.announced.delete(p.producerId);
    if (!socketId || !producers.length) return;
    await this.deps.peers.callLegNotice({ callid: leg.callid, uid, socketId, change: 'closed', producers }).catch(() => false);
  }
}

/** A closed producer as the owner needs it (only its id and user count). */
function closedInfo(producerId: string, uid: string): ProducerInfo {
  return { producerId, uid, kind: 'audio', source: 'mic', paused: false };
}
