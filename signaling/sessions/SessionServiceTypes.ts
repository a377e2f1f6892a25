import type { PresenceStore } from '../../storage/PresenceStore';
import type { SessionStore } from '../../storage/SessionStore';
import type { UserStore } from '../../storage/UserStore';
import type { MemberView, SessionView } from '../protocol/models';
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
}

/** A conversation as `GET /api/sessions/:id` answers it. */
export interface SessionDetails {
  session: SessionView;
  members: MemberView[];
}
