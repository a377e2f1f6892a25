import type { ReadStateStore } from '../../storage/ReadStateStore';
import { InvalidRequestError } from '../errors/DomainError';
import type { SessionSettings, SessionSettingsBody } from '../protocol/attention';
import type { SessionService } from '../sessions/SessionService';

export interface ConversationMuteDeps {
  readStates: ReadStateStore;
  sessionService: Pick<SessionService, 'forMember'>;
}

/**
 * Per-member mute of a conversation (issue 13): `PATCH /api/sessions/:id/settings`. A muted
 * conversation pushes nothing but mentions and calls; a mute with `mutedUntil` ends by itself.
 */
export class ConversationMute {
  constructor(private readonly deps: ConversationMuteDeps) {}

  async set(sessionid: string, uid: string, body: SessionSettingsBody): Promise<SessionSettings> {
    await this.deps.sessionService.forMember(sessionid, uid);
    if (body.mutedUntil !== undefined) {
      if (!body.muted) throw new InvalidRequestError('mutedUntil: only with muted: true (muted: false ends any mute)');
      if (body.mutedUntil <= Date.now()) throw new InvalidRequestError('mutedUntil: a time in the future (ms since 1970)');
    }
    await this.deps.readStates.setMute(uid, sessionid, body);
    return { sessionid, muted: body.muted, ...(body.muted && body.mutedUntil !== undefined ? { mutedUntil: body.mutedUntil } : {}) };
  }
}
