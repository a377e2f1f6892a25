import type { ProducerRecord, Room } from '../../media';
import type { MediaRoomSupervisor } from '../media-rooms/MediaRoomSupervisor';
import type { Call } from './Call';
import type { CallBook } from './CallBook';
import type { CallDeps } from './CallDeps';
import type { CallLifecycle } from './CallLifecycle';
import type { CallPipes } from './CallPipes';
import type { CallSubscriptions } from './CallSubscriptions';
import type { CallRecordings } from './recording/CallRecordings';

/** How many times a call's media is re-created on another worker before the call ends. */
const RECREATE_ATTEMPTS = 20;

/**
 * A call's media room: its events relayed to the participants' sockets. The room spreads over the
 * process's workers: a dead worker costs only the participants placed on it (they negotiate
 * again); when it took the whole room, a new room on a live worker, and every participant
 * negotiates again.
 */
export class CallMedia {
  constructor(
    private readonly deps: CallDeps,
    private readonly book: CallBook,
    private readonly rooms: MediaRoomSupervisor,
    private readonly lifecycle: CallLifecycle,
    private readonly subscriptions: CallSubscriptions,
    private readonly recordings: Pick<CallRecordings, 'mediaMoved'> | undefined,
    private readonly pipes: CallPipes,
  ) {
    rooms.on('roomLost', (roomId) => void this.recover(roomId));
  }

  /** A new room for the call, wired up. */
  async open(call: Call): Promise<void> {
    this.attach(call, await this.rooms.createRoom(call.callid));
  }

  private attach(call: Call, room: Room): void {
    const { io } = this.deps;
    call.room = room;
    this.pipes.attach(call.callid, room);
    this.subscriptions.watch(call, room);
    const toPeer = (uid: string) => call.participants.get(uid)?.socketId;
    room.on('activeSpeaker', (peerId) => {
      const sockets = call.socketsExcept();
      if (sockets.length) io.to(sockets).emit('call:activeSpeaker', { callid: call.callid, uid: peerId });
    });
    room.on('consumerClosed', ({ peerId, consumerId }) => {
      const socket = toPeer(peerId);
      if (socket) io.to(socket).emit('call:consumer:closed', { callid: call.callid, consumerId });
      this.book.refreshMetrics();
    });
    room.on('consumerLayers', ({ peerId, consumerId, spatialLayer, temporalLayer }) => {
      const socket = toPeer(peerId);
      if (socket) io.to(socket).emit('call:consumer:layers', { callid: call.callid, consumerId, spatialLayer, temporalLayer });
    });
    room.on('consumerScore', ({ peerId, consumerId, score, producerScore }) => {
      const socket = toPeer(peerId);
      if (socket) io.to(socket).emit('call:consumer:score', { callid: call.callid, consumerId, score, producerScore });
    });
    room.on('peersLost', (event) => this.peersLost(call, event));
  }

  /**
   * A worker the call spread to died with some participants' transports: only they negotiate
   * again (call:reconnectMedia to their own socket); the others hear those producers closed and
   * keep the rest of their media.
   */
  private peersLost(call: Call, { workerPid, peerIds, producers }: { workerPid: number; peerIds: string[]; producers: ProducerRecord[] }): void {
    const { io, logger } = this.deps;
    const { callid } = call;
    logger.warn({ callid, workerPid, uids: peerIds }, 'a mediasoup worker of the call died; its participants reconnect their media');
    for (const uid of peerIds) {
      const socket = call.participants.get(uid)?.socketId;
      if (socket) io.to(socket).emit('call:reconnectMedia', { callid });
    }
    for (const p of producers) {
      const others = call.socketsExcept(p.peerId);
      if (others.length) io.to(others).emit('call:producer:closed', { callid, producerId: p.producerId, uid: p.peerId });
    }
    // A recording's taps may have been on the dead worker: it taps the call again.
    this.recordings?.mediaMoved(call);
    this.book.refreshMetrics();
  }

  /** The call's worker died: a new room on a live worker, then every participant re-negotiates. */
  async recover(callid: string): Promise<void> {
    const call = this.book.get(callid);
    if (!call || call.state === 'ended') return;
    call.room = null;
    this.deps.logger.warn({ callid }, 'call media lost with its mediasoup worker; re-creating it');
    const outcome = await this.rooms.recreate(callid, {
      attempts: RECREATE_ATTEMPTS,
      wanted: () => this.book.owns(callid),
      use: (room) => {
        this.attach(call, room);
        const sockets = call.socketsExcept();
        if (sockets.length) this.deps.io.to(sockets).emit('call:reconnectMedia', { callid });
        this.deps.logger.info({ callid, workerPid: room.worker.pid }, 'call media re-created');
        this.recordings?.mediaMoved(call);
        this.book.refreshMetrics();
      },
    });
    if (outcome === 'failed') await this.lifecycle.endUnchosen(call);
  }
}
