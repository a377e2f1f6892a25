import type { Logger } from 'pino';
import type { ReadStateStore } from '../../storage/ReadStateStore';
import type { SessionService } from '../sessions/SessionService';
import type { ChatServer } from '../socket/Fanout';

/** What ReadState works with. */
export interface ReadStateDeps {
  readStates: ReadStateStore;
  /** Membership checks (members only read, and see receipts). */
  sessionService: Pick<SessionService, 'forMember'>;
  /** Where `read` events go: the reader's other sockets and the other members, on every node. */
  io: ChatServer;
  logger: Logger;
}
