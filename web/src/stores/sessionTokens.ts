/** Session tokens (message:send's proof of membership), cached per conversation until shortly before they expire. */
import type { SessionView } from '@protocol';
import { api } from '@/lib/api';
import { jwtExpiry } from '@/lib/jwt';

const RENEW_MARGIN_MS = 60_000;
/** Without a readable exp, a token is reused this long. */
const ASSUMED_LIFETIME_MS = 5 * 60_000;

const cache = new Map<string, { token: string; expiresAt: number }>();

export const sessionTokens = {
  /** A token for the conversation; `fresh` drops a cached one first (it was refused). */
  async get(sessionid: string, fresh = false): Promise<string> {
    if (fresh) cache.delete(sessionid);
    const cached = cache.get(sessionid);
    if (cached && cached.expiresAt - Date.now() > RENEW_MARGIN_MS) return cached.token;
    const { sessionToken: token } = await api<{ sessionToken: string; session: SessionView }>(`/sessions/${sessionid}/token`, {
      method: 'POST',
    });
    cache.set(sessionid, { token, expiresAt: jwtExpiry(token) ?? Date.now() + ASSUMED_LIFETIME_MS });
    return token;
  },

  forget(sessionid: string): void {
    cache.delete(sessionid);
  },

  /** All of them (a new user token, or sign-out). */
  clear(): void {
    cache.clear();
  },
};
