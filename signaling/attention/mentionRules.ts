import type { SessionDoc } from '../../storage/documents';
import { MENTION_ALL } from '../protocol/attention';
import { isMember, isOwnerOrAdmin } from '../sessions/membershipRules';
import { InvalidMentionsError, MentionAllDeniedError } from './attentionErrors';

/**
 * The mentions a message may carry (issue 13): members of the conversation only, each once; `all`
 * only from a group's owners and admins, and then alone (it already names everyone).
 */
export function checkedMentions(session: SessionDoc, sender: string, mentions: readonly string[]): string[] {
  const unique = [...new Set(mentions)];
  if (unique.includes(MENTION_ALL)) {
    if (!isOwnerOrAdmin(session, sender)) throw new MentionAllDeniedError();
    return [MENTION_ALL];
  }
  const strangers = unique.filter((uid) => !isMember(session, uid));
  if (strangers.length > 0) throw new InvalidMentionsError(strangers);
  return unique;
}

/** Whether a stored message mentions the user, by name or through `all`. */
export function mentionsUser(mentions: readonly string[] | undefined, uid: string): boolean {
  return !!mentions && (mentions.includes(uid) || mentions.includes(MENTION_ALL));
}
