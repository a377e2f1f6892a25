import type { PresenceStore } from '../../storage/PresenceStore';
import type { SessionStore } from '../../storage/SessionStore';
import type { UserStore } from '../../storage/UserStore';
import type { MemberAction, MemberView, SessionView } from '../protocol/models';
import type { Fanout } from '../socket/Fanout';
import type { FileUrlSigner } from '../views';

/** What the SessionService works with. */
export interface SessionServiceDeps {
  sessions: SessionStore;
  users: UserStore;
  presence: PresenceStore;
  /** Moves the members' sockets in and out of session rooms and tells the members. */
  fanout: Fanout;
  /** Signs file URLs in views for members. */
  fileUrls: FileUrlSigner;
  /** Records membership changes in the conversation (S24: joins, leaves, invites take a seq). */
  memberEvents?: MemberEvents;
  /** Blocks between users (S26): private chats and group adds refuse across one. */
  blocks?: BlockChecks;
}

/** The block checks the SessionService applies (signaling/people/BlockService). */
export interface BlockChecks {
  /** Refuses when either user blocked the other. */
  mustNotBeBlocked(a: string, b: string): Promise<void>;
  /** Refuses `actor` when `blocker` blocked them. */
  mustNotBeBlockedBy(blocker: string, actor: string): Promise<void>;
}

/** Where the SessionService records a membership event; answers the seq it took. */
export interface MemberEvents {
  member(sessionid: string, uid: string, action: MemberAction, by?: string): Promise<number>;
}

/** A conversation as `GET /api/sessions/:id` answers it. */
export interface SessionDetails {
  session: SessionView;
  members: MemberView[];
}
