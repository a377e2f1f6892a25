import { randomBytes } from 'node:crypto';
import type { InviteDoc } from '../../storage/InviteStore';
import type { SessionView } from '../protocol/models';
import { InviteLimits, type InvitePreview, type InviteView } from '../protocol/people';
import { mustBeOwnerOrAdmin, mustNotBeBanned } from '../sessions/membershipRules';
import type { InviteServiceDeps } from './InviteServiceTypes';
import { InviteExpiredError, InviteNotFoundError } from './peopleErrors';

/**
 * Invite links of groups (S26). Owners and admins make, list and revoke them; anyone signed in
 * with a working code joins the group, invitation-only or not, unless banned. A code is 128 random
 * bits: unguessable, so it is stored as is (admins list their group's codes). Revoking deletes it.
 */
export class InviteService {
  constructor(private readonly deps: InviteServiceDeps) {}

  async create(sessionid: string, uid: string, expiresIn: number = InviteLimits.expiresInDefault): Promise<InviteView> {
    mustBeOwnerOrAdmin(await this.deps.sessions.get(sessionid), uid, 'invite links');
    const now = Date.now();
    const invite = await this.deps.invites.create({
      _id: randomBytes(16).toString('base64url'),
      sessionid,
      createdBy: uid,
      dateline: now,
      expiresAt: now + expiresIn * 1000,
    });
    return inviteView(invite);
  }

  /** The group's links that still work, for its owner and admins. */
  async list(sessionid: string, uid: string): Promise<InviteView[]> {
    mustBeOwnerOrAdmin(await this.deps.sessions.get(sessionid), uid, 'invite links');
    return (await this.deps.invites.active(sessionid)).map(inviteView);
  }

  async revoke(sessionid: string, uid: string, code: string): Promise<void> {
    mustBeOwnerOrAdmin(await this.deps.sessions.get(sessionid), uid, 'invite links');
    if (!(await this.deps.invites.revoke(sessionid, code))) throw new InviteNotFoundError();
  }

  /** What the join page shows: the group's name and size, and until when the link works. */
  async preview(code: string): Promise<InvitePreview> {
    const invite = await this.working(code);
    const session = await this.deps.sessions.get(invite.sessionid);
    return {
      session: {
        sessionid: invite.sessionid,
        name: session.name,
        sessiontype: session.sessiontype,
        visabletype: session.visabletype,
        jointype: session.jointype,
        memberCount: session.uids.length,
      },
      expiresAt: invite.expiresAt,
    };
  }

  async join(code: string, uid: string): Promise<SessionView> {
    const invite = await this.working(code);
    mustNotBeBanned(await this.deps.sessions.get(invite.sessionid), uid);
    return this.deps.sessionService.admit(invite.sessionid, uid);
  }

  /** The link of a code: unknown or revoked `invite_not_found`, past its time `invite_expired` (both 404). */
  private async working(code: string): Promise<InviteDoc> {
    const invite = await this.deps.invites.get(code);
    if (!invite) throw new InviteNotFoundError();
    if (invite.expiresAt <= Date.now()) throw new InviteExpiredError();
    return invite;
  }
}

function inviteView(doc: InviteDoc): InviteView {
  return { code: doc._id, sessionid: doc.sessionid, expiresAt: doc.expiresAt, createdBy: doc.createdBy, dateline: doc.dateline };
}
