import type net from 'node:net';
import { ProtocolError } from './ProtocolError';
import { OP_MSG, OP_QUERY, WireCodec } from './WireCodec';
import { WireMessageFramer } from './WireMessageFramer';
import type { CommandHandlers } from './CommandHandlers';
import type { DevMongoLogger } from './DevMongoServerTypes';

/** Messages queued before the socket is paused, so a flooding client cannot exhaust memory. */
const MAX_QUEUED_MESSAGES = 64;

/** One client socket: frames messages, runs them strictly in order, writes replies. */
export class ClientConnection {
  private readonly framer = new WireMessageFramer();
  private readonly queue: Buffer[] = [];
  private draining = false;
  private closed = false;

  constructor(
    readonly id: number,
    private readonly socket: net.Socket,
    private readonly handlers: CommandHandlers,
    private readonly logger: DevMongoLogger,
    onClose: (conn: ClientConnection) => void,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => this.logger.debug?.({ err, connectionId: id }, 'devmongo socket error'));
    socket.on('close', () => {
      this.closed = true;
      this.queue.length = 0;
      onClose(this);
    });
  }

  destroy(): void {
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    let frames: Buffer[];
    try {
      frames = this.framer.push(chunk);
    } catch (err) {
      this.logger.warn?.({ connectionId: this.id, reason: (err as Error).message }, 'devmongo closing connection after a bad message');
      this.socket.destroy();
      return;
    }
    this.queue.push(...frames);
    if (this.queue.length > MAX_QUEUED_MESSAGES) this.socket.pause();
    void this.drain();
  }

  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    try {
      while (this.queue.length > 0 && !this.closed) {
        const frame = this.queue.shift() as Buffer;
        await this.handle(frame);
        if (this.queue.length <= MAX_QUEUED_MESSAGES / 2 && this.socket.isPaused()) this.socket.resume();
      }
    } finally {
      this.draining = false;
    }
  }

  private async handle(frame: Buffer): Promise<void> {
    const header = WireCodec.readHeader(frame);
    if (header.opCode !== OP_MSG && header.opCode !== OP_QUERY) {
      this.logger.warn?.({ connectionId: this.id, opCode: header.opCode }, 'devmongo unsupported opCode; closing connection');
      this.socket.destroy();
      return;
    }
    let reply;
    let moreToCome = false;
    try {
      const req = WireCodec.decode(frame);
      moreToCome = req.moreToCome;
      reply = await this.handlers.run(req.command, req.db, this.id);
    } catch (err) {
      // The frame was well delimited but its content was not; answer instead of hanging up.
      const message = err instanceof ProtocolError || err instanceof Error ? err.message : String(err);
      reply = { ok: 0, errmsg: `invalid message: ${message}`, code: 22, codeName: 'InvalidBSON' };
    }
    if (moreToCome || this.closed) return;
    let bytes: Buffer;
    try {
      bytes = header.opCode === OP_QUERY ? WireCodec.encodeReply(reply, header.requestId) : WireCodec.encodeMsg(reply, header.requestId);
    } catch (err) {
      const fallback = { ok: 0, errmsg: `reply could not be encoded: ${(err as Error).message}`, code: 10334, codeName: 'BSONObjectTooLarge' };
      bytes = header.opCode === OP_QUERY ? WireCodec.encodeReply(fallback, header.requestId) : WireCodec.encodeMsg(fallback, header.requestId);
    }
    this.socket.write(bytes);
  }
}
