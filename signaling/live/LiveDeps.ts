import type { Logger } from 'pino';
import type { Database } from '../../storage/Database';
import type { MessageDraft } from '../../storage/MessageBatcherTypes';
import type { SessionStore } from '../../storage/SessionStore';
import type { UserStore } from '../../storage/UserStore';
import type { ClusterPeers } from '../cluster/ClusterPeers';
import type { Config } from '../config';
import type { UrlSigner } from '../files/UrlSigner';
import type { Metrics } from '../metrics';
import type { ChatServer, Fanout } from '../socket/Fanout';

/** What live streams use of the node (instead of the whole AppContext). */
export interface LiveDeps {
  config: Pick<
    Config,
    | 'dataDir'
    | 'ffmpegPath'
    | 'liveSegmentSeconds'
    | 'liveRenditions'
    | 'liveReplayTtl'
    | 'liveResumeGrace'
    | 'liveMaxStreams'
    | 'liveStreamsPerUser'
    | 'liveHlsUrlTtl'
    | 'liveWebrtcViewers'
    | 'liveLlHls'
  >;
  logger: Logger;
  nodeId: string;
  db: Database;
  sessions: Pick<SessionStore, 'get' | 'isMember' | 'joinedIds' | 'createGroup'>;
  /** The publisher's nickname for a WHIP stream (its key names only the user). */
  users: Pick<UserStore, 'get'>;
  metrics: Pick<Metrics, 'liveStreams'>;
  io: ChatServer;
  fanout: Pick<Fanout, 'memberAdded'>;
  fileUrls: UrlSigner;
  /** The other processes: a publisher resuming here takes its stream over from them. */
  peers: ClusterPeers;
  /** Posts a message on the publisher's behalf (the msgtype 7 announcements). */
  announce(draft: MessageDraft): Promise<void>;
}
