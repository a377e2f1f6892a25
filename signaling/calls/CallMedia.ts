import type { Room } from '../../media';
import type { MediaRoomSupervisor } from '../media-rooms/MediaRoomSupervisor';
import type { Call } from './Call';
import type { CallBook } from './CallBook';
import type { CallDeps } from './CallDeps';
import type { CallLifecycle } from './CallLifecycle';
import type { CallSubscriptions } from './CallSubscriptions';
import type { CallRecordings } from './recording/CallRecordings';

/** How many times a call's media is re-created on another worker before the call ends. */
const RECREATE_ATTEMPTS = 20;

/**
 * A call's media room: its events relayed to the participants' sockets, and, when its worker dies,
 * a new room on a live worker, after which every participant negotiates again.
 */
export class CallMedia {
  constructor(
    private readonly deps: CallDeps,
    private readonly book: CallBook,
    private readonly rooms: MediaRoomSupervisor,
    private readonly lifecycle: CallLifecycle,
    private readonly subscriptions: CallSubscriptions,
    private readonly recordings?: Pick<CallRecordings, 'mediaMoved'>,
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
