import type { ReadStateStore } from '../../storage/ReadStateStore';
import type { MemberEvents } from '../sessions/SessionServiceTypes';

/**
 * A member who joins (or is added) starts reading at their join: the history from before is there
 * to scroll through, but it is not counted as unread, as in other chat products.
 */
export function readFromJoin(events: MemberEvents, readStates: ReadStateStore): MemberEvents {
  return {
    async member(sessionid, uid, action, by) {
      const seq = await events.member(sessionid, uid, action, by);
      if (action === 'join' || action === 'invite') await readStates.advance(uid, sessionid, seq);
      return seq;
    },
  };
}
