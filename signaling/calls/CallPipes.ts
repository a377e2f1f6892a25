import type { ProducerImporter, Room } from '../../media';
import type { Config } from '../config';
import type { CallDeps } from './CallDeps';
import type { CallPipeRequest } from './CallLegTypes';

/**
 * Producers crossing between the processes of a call: this process's rooms import what they do
 * not hold by asking the others (`call:pipe`), and answer the others' asks for what they hold.
 * Either side ending a pipe tells the other (`call:pipeClose`).
 */
export class CallPipes {
  constructor(
    private readonly deps: CallDeps,
    private readonly config: Pick<Config, 'pipeListenIp' | 'pipeAnnouncedIp'>,
    /** The call's room on this process: the owner's, or a leg's. */
    private readonly roomOf: (callid: string) => Room | null,
  ) {
    const nsp = deps.io.of('/');
    nsp.on('call:pipe', (req, ack) => {
      void this.answer(req).then(ack, (err: unknown) => {
        deps.logger.warn({ err, callid: req.callid }, 'piping a producer to another process failed');
        ack(null);
      });
    });
    nsp.on('call:pipeClose', (callid, pipeId) => this.roomOf(callid)?.closePipe(pipeId));
    nsp.on('call:alive', (ack) => ack(deps.nodeId));
  }

  /** Lets the call's room on this process import and export producers. */
  attach(callid: string, room: Room): void {
    const { peers } = this.deps;
    const importer: ProducerImporter = {
      listen: { ip: this.config.pipeListenIp, announcedIp: this.config.pipeAnnouncedIp },
      dial: (producerId, receiver) => peers.callPipe({ callid, producerId, receiver, from: this.deps.nodeId }),
      hangUp: (pipeId) => void peers.callPipeClose(callid, pipeId).catch(() => undefined),
    };
    room.importFrom(importer);
    room.on('pipeEnded', ({ pipeId }) => void peers.callPipeClose(callid, pipeId).catch(() => undefined));
  }

  private async answer(req: CallPipeRequest): Promise<Awaited<ReturnType<Room['pipeOut']>>> {
    const room = this.roomOf(req.callid);
    return room && !room.closed ? room.pipeOut(req.producerId, req.receiver, req.from) : null;
  }
}
