import type { Logger } from 'pino';
import type { Database } from '../../storage/Database';
import type { SessionStore } from '../../storage/SessionStore';
import type { ClusterPeers } from '../cluster/ClusterPeers';
import type { Config } from '../config';
import type { Metrics } from '../metrics';
import type { ChatServer } from '../socket/Fanout';
import type { CallMessages } from './CallMessages';
import type { RecordingDeps } from './recording/RecordingDeps';

/** What calls use of the node (instead of the whole AppContext). */
export interface CallDeps {
  config: Pick<Config, 'callStartsPerMinute' | 'callsPerUser' | 'callRingTimeout' | 'callScreen' | 'pipeListenIp' | 'pipeAnnouncedIp'>;
  logger: Logger;
  nodeId: string;
  db: Database;
  sessions: Pick<SessionStore, 'get'>;
  metrics: Pick<Metrics, 'callsActive' | 'callParticipants' | 'mediaProducers' | 'mediaConsumers'>;
  io: ChatServer;
  /** The other processes: calls owned elsewhere. */
  peers: ClusterPeers;
  /** The calls' msgtype 5/6 announcements. */
  announcements: Pick<CallMessages, 'post'>;
  /** S26: a private call across a block (either way) is refused `blocked`. */
  blocks?: { mustNotBeBlocked(a: string, b: string): Promise<void> };
  /** Issue 15: files and messages for call recordings (absent: recordings answer `media_unavailable`). */
  recording?: RecordingDeps;
}
