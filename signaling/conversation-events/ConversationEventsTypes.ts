import type { FileStore } from '../../storage/FileStore';
import type { MessageBatcher } from '../../storage/MessageBatcher';
import type { MessageChangeStore } from '../../storage/MessageChangeStore';
import type { MessageStore } from '../../storage/MessageStore';
import type { SessionStore } from '../../storage/SessionStore';
import type { Config } from '../config';
import type { Fanout } from '../socket/Fanout';
import type { FileUrlSigner } from '../views';

export interface ConversationEventsDeps {
  config: Pick<Config, 'editsPerMinute' | 'changesPerMinute' | 'reactionsPerMessage' | 'reactionEmojiPerMessage'>;
  batcher: MessageBatcher;
  messages: MessageStore;
  changes: MessageChangeStore;
  sessions: SessionStore;
  files: FileStore;
  fanout: Fanout;
  fileUrls: FileUrlSigner;
}

/** Ack of a change: the message and the seq its change took (or its current version when nothing changed). */
export interface ChangeResult {
  msgid: string;
  seq: number;
}
