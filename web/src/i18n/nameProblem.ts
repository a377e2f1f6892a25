/**
 * Why the shared schema (signaling/protocol/schemas.ts displayName) refused a name, a nickname or a
 * group name, in the user's words: its issues carry English messages, so the kind of issue picks
 * the catalogue's sentence (the English ones say what the schema says).
 */
import { text, type LocalText } from './localText';

interface NameIssue {
  code: string;
  message: string;
}

export function nameProblem(issue: NameIssue | undefined, max: number): LocalText {
  if (!issue || issue.code === 'too_small') return text('names.empty');
  if (issue.code === 'too_big') return text('names.tooLong', { max });
  if (issue.message.includes('control characters')) return text('names.control');
  if (issue.message.includes('text-direction')) return text('names.direction');
  if (issue.message.includes('visible character')) return text('names.invisible');
  return issue.message;
}
