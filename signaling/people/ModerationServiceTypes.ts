import type { BlockStore } from '../../storage/BlockStore';
import type { SessionStore } from '../../storage/SessionStore';
import type { SessionService } from '../sessions/SessionService';
import type { PeopleLookup } from './personView';

/** What the ModerationService works with. */
export interface ModerationServiceDeps extends PeopleLookup {
  sessions: SessionStore;
  /** Removals, membership events and `session:update` go through the conversations' own service. */
  sessionService: Pick<SessionService, 'remove' | 'publish' | 'record'>;
  blocks: Pick<BlockStore, 'between'>;
}
