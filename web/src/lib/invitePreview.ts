/**
 * GET /api/invites/:code as the join page shows it: the group's name and member count, read from
 * the answer whether it is flat (`{ name, memberCount }`) or nested (`{ invite | preview | session }`).
 */
import type { InvitePreview } from '../../../signaling/protocol/people';

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
}

export function readInvitePreview(answer: unknown): InvitePreview {
  const top = record(answer) ?? {};
  const inner = record(top.invite) ?? record(top.preview) ?? top;
  const session = record(inner.session) ?? record(top.session) ?? {};
  const name = [inner.name, session.name].find((v): v is string => typeof v === 'string') ?? '';
  const uids = Array.isArray(session.uids) ? session.uids.length : undefined;
  const count = [inner.memberCount, session.memberCount, top.memberCount, uids].find((v): v is number => typeof v === 'number') ?? 0;
  const sessionid = [inner.sessionid, session.sessionid].find((v): v is string => typeof v === 'string');
  const expiresAt = [inner.expiresAt, top.expiresAt].find((v): v is number => typeof v === 'number');
  return { name, memberCount: count, ...(sessionid ? { sessionid } : {}), ...(expiresAt ? { expiresAt } : {}) };
}
