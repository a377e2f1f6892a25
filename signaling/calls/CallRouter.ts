import type { ClusterPeers } from '../cluster/ClusterPeers';
import type { CallOpAnswer, CallOpRequest } from '../cluster/ServerSideEvents';
import { ackError } from '../errors/errorAnswer';
import type { CallInfo, JoinResult } from '../protocol/calls';
import { isErrorBody } from '../protocol/errors';
import type { EventPayload, EventResult } from '../socket/eventTable';
import type { Call } from './Call';
import type { CallBook } from './CallBook';
import { RemoteError } from '../errors/RemoteError';
import { CallNotFoundError } from './callErrors';
import type { CallLegOps } from './callLegOps';
import type { CallLegs } from './CallLegs';
import type { CallOwnerOp, CallOwnerOps } from './CallOwnerOps';
import type { CallOwnerEvent, CallRequester } from './CallTypes';

/**
 * Owned and remote calls: a request for a call this process owns runs here; so does the media
 * negotiation of a participant that joined through this process a call owned elsewhere (its
 * leg); any other request is forwarded to the owner (ClusterPeers, which every process answers:
 * the owner with its result, the rest with null). This process answers the requests the others
 * forward in turn.
 */
export class CallRouter {
  constructor(
    private readonly book: CallBook,
    private readonly ops: CallOwnerOps,
    private readonly peers: ClusterPeers,
    private readonly legs: CallLegs,
    private readonly legOps: CallLegOps,
  ) {}

  async route<E extends CallOwnerEvent>(event: E, payload: EventPayload<E>, requester: CallRequester): Promise<EventResult<E>> {
    const local = this.book.get(payload.callid);
    if (local) return this.run(event, local, payload, requester);
    const leg = this.legs.joinedLeg(payload.callid, requester);
    const legOp = this.legOps[event];
    if (leg && legOp) {
      try {
        return await legOp(leg, payload, requester);
      } finally {
        this.book.refreshMetrics();
      }
    }
    const answer = await this.peers.callOp({ event, payload, requester });
    if (!answer) throw new CallNotFoundError();
    if (isErrorBody(answer)) throw new RemoteError(answer);
    // The owner ran this event's operation (its answer crossed the adapter untyped).
    const result = answer.result as EventResult<E>;
    // The participant's media will be on this process (joined), or ends here (left).
    if (event === 'call:join') await this.legs.joined(result as JoinResult, requester);
    if (event === 'call:leave') this.legs.left(payload.callid, requester);
    return result;
  }

  /** The calls going on in the requester's conversations, on every process. */
  async list(requester: CallRequester): Promise<CallInfo[]> {
    return [...this.book.listFor(requester), ...(await this.peers.listCalls(requester))];
  }

  /** The calls this process owns in the requester's conversations. */
  listOwned(requester: CallRequester): CallInfo[] {
    return this.book.listFor(requester);
  }

  /** Another process forwards a request: answered when this process owns the call, else null. */
  async answer(req: CallOpRequest): Promise<CallOpAnswer> {
    return this.answerOp(req.event, req.payload, req.requester);
  }

  /** Another process looks for a call (one per conversation): its info, for a member of its conversation. */
  find(callid: string, requester: CallRequester): CallInfo | null {
    const call = this.book.get(callid);
    return call && requester.sessions.includes(call.sessionid) ? call.info() : null;
  }

  private async answerOp<E extends CallOwnerEvent>(event: E, raw: unknown, requester: CallRequester): Promise<CallOpAnswer> {
    const op: CallOwnerOp<E> = this.ops[event];
    const parsed = op.schema.safeParse(raw);
    // The process that forwarded it validated the payload already: one this process cannot read is not its call.
    if (!parsed.success) return null;
    const call = this.book.get(parsed.data.callid);
    if (!call) return null;
    try {
      return { result: await this.run(event, call, parsed.data, requester) };
    } catch (err) {
      return ackError(err);
    }
  }

  private async run<E extends CallOwnerEvent>(event: E, call: Call, payload: EventPayload<E>, requester: CallRequester): Promise<EventResult<E>> {
    const op: CallOwnerOp<E> = this.ops[event];
    try {
      return await op.run(call, payload, requester);
    } finally {
      this.book.refreshMetrics();
    }
  }
}
