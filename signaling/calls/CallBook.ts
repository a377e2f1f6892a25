import type { Room } from '../../media/Room';
import type { CallInfo } from '../protocol/calls';
import type { Call } from './Call';
import type { CallDeps } from './CallDeps';
import type { CallRequester } from './CallTypes';

/** The calls this process owns, by call and by conversation, and their gauges. */
export class CallBook {
  private readonly calls = new Map<string, Call>();
  private readonly bySession = new Map<string, Call>();
  /** This process's rooms of calls owned elsewhere (legs): their producers and consumers count here too. */
  private legRooms: () => Room[] = () => [];

  constructor(private readonly metrics: CallDeps['metrics']) {}

  get(callid: string): Call | undefined {
    return this.calls.get(callid);
  }

  owns(callid: string): boolean {
    return this.calls.has(callid);
  }

  inSession(sessionid: string): Call | undefined {
    return this.bySession.get(sessionid);
  }

  ids(): string[] {
    return [...this.calls.keys()];
  }

  all(): Call[] {
    return [...this.calls.values()];
  }

  add(call: Call): void {
    this.calls.set(call.callid, call);
    this.bySession.set(call.sessionid, call);
  }

  forget(call: Call): void {
    this.calls.delete(call.callid);
    if (this.bySession.get(call.sessionid) === call) this.bySession.delete(call.sessionid);
  }

  /** The calls in the requester's conversations. */
  listFor(requester: CallRequester): CallInfo[] {
    const mine = new Set(requester.sessions);
    return this.all()
      .filter((c) => mine.has(c.sessionid))
      .map((c) => c.info());
  }

  countLegRooms(rooms: () => Room[]): void {
    this.legRooms = rooms;
  }

  refreshMetrics(): void {
    let participants = 0;
    let producers = 0;
    let consumers = 0;
    for (const call of this.calls.values()) {
      participants += call.participants.size;
      const s = call.room?.stats();
      producers += s?.producers ?? 0;
      consumers += s?.consumers ?? 0;
    }
    for (const room of this.legRooms()) {
      const s = room.stats();
      producers += s.producers;
      consumers += s.consumers;
    }
    this.metrics.callsActive.set(this.calls.size);
    this.metrics.callParticipants.set(participants);
    this.metrics.mediaProducers.set(producers);
    this.metrics.mediaConsumers.set(consumers);
  }
}
