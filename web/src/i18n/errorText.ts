/**
 * A failure as text in the user's language: the server answers error codes (PROTOCOL.md), and
 * the codes the catalogue knows are said in its words; others keep the server's English message.
 */
import { RequestError, errorMessage } from '@/lib/api';
import { i18n, t } from './index';

export function describeError(error: unknown): string {
  if (error instanceof RequestError) {
    const key = `errors.${error.code}`;
    if (i18n.global.te(key)) return t(key);
  }
  return errorMessage(error);
}
