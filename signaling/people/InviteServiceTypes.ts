import type { InviteStore } from '../../storage/InviteStore';
import type { SessionStore } from '../../storage/SessionStore';
import type { SessionService } from '../sessions/SessionService';

/** What the InviteService works with. */
export interface InviteServiceDeps {
  invites: InviteStore;
  sessions: Pick<SessionStore, 'get'>;
  /** Joining through a link goes through the conversations' own service (bans, events, rooms). */
  sessionService: Pick<SessionService, 'admit'>;
}
