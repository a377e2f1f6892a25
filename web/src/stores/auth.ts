/** The signed-in user and their token, persisted in localStorage. */
import { computed, reactive, readonly } from 'vue';
import type { ChangePasswordBody, LoginBody, RegisterBody, UpdateMeBody, UserView } from '@protocol';
import { MsgType } from '@protocol';
import { api, configureApi } from '@/lib/api';
import { uploadBlob } from '@/lib/files';
import { md5OfBlob } from '@/lib/md5';
import { readJson, removeKey, writeJson } from '@/lib/storage';

const TOKEN_KEY = 'cookim.token';
const USER_KEY = 'cookim.user';

interface AuthState {
  token: string | null;
  user: UserView | null;
  /** Why the user was sent back to the login screen, shown there once. */
  notice: string | null;
}

const state = reactive<AuthState>({
  token: readJson<string | null>(TOKEN_KEY, null),
  user: readJson<UserView | null>(USER_KEY, null),
  notice: null,
});

type Listener = () => void;
const signedOutListeners = new Set<Listener>();
const tokenListeners = new Set<(token: string) => void>();

function persist(): void {
  if (state.token) writeJson(TOKEN_KEY, state.token);
  else removeKey(TOKEN_KEY);
  if (state.user) writeJson(USER_KEY, state.user);
  else removeKey(USER_KEY);
}

function setSession(token: string, user: UserView): void {
  state.token = token;
  state.user = user;
  state.notice = null;
  persist();
}

function clear(notice: string | null): void {
  const wasSignedIn = state.token !== null;
  state.token = null;
  state.user = null;
  state.notice = notice;
  persist();
  if (wasSignedIn) for (const listener of signedOutListeners) listener();
}

/** Catalogue keys (kept, not words: the language may change before the login screen shows them). */
const expiredNotices: Record<string, string> = {
  token_expired: 'auth.expired',
  token_revoked: 'auth.revoked',
  token_invalid: 'auth.signInAgain',
};

/** Called on a 401 or a socket token error: drop the token and go back to the login screen. */
export function expireSession(code: string): void {
  clear(expiredNotices[code] ?? 'auth.signInAgain');
}

configureApi(
  () => state.token,
  (code) => expireSession(code),
);

export const auth = {
  state: readonly(state),
  isSignedIn: computed(() => state.token !== null && state.user !== null),
  uid: computed(() => state.user?.uid ?? ''),

  onSignedOut(listener: Listener): () => void {
    signedOutListeners.add(listener);
    return () => signedOutListeners.delete(listener);
  },

  async login(body: LoginBody): Promise<void> {
    const result = await api<{ token: string; user: UserView }>('/login', { body, anonymous: true });
    setSession(result.token, result.user);
  },

  async register(body: RegisterBody): Promise<void> {
    const result = await api<{ token: string; user: UserView }>('/users', { body, anonymous: true });
    setSession(result.token, result.user);
  },

  async logout(): Promise<void> {
    try {
      if (state.token) await api<void>('/logout', { method: 'POST' });
    } catch {
      /* the token is dropped locally whatever the server says */
    }
    clear(null);
  },

  async refreshMe(): Promise<void> {
    const { user } = await api<{ user: UserView }>('/me');
    state.user = user;
    persist();
  },

  async updateMe(body: UpdateMeBody): Promise<UserView> {
    const { user } = await api<{ user: UserView }>('/me', { method: 'PATCH', body });
    state.user = user;
    persist();
    return user;
  },

  /**
   * A new profile picture: the image is uploaded (always, so the server records this user as its
   * uploader, which setting an avatar requires), then named as the avatar (PATCH /api/me).
   */
  async uploadAvatar(file: File, onProgress?: (fraction: number) => void, signal?: AbortSignal): Promise<UserView> {
    const md5 = await md5OfBlob(file, (fraction) => onProgress?.(fraction * 0.1), signal);
    const info = await uploadBlob(file, file.name || 'avatar', md5, {
      intent: MsgType.Image,
      signal,
      onProgress: (fraction) => onProgress?.(0.1 + fraction * 0.85),
    });
    const user = await this.updateMe({ avatar: info.fileid });
    onProgress?.(1);
    return user;
  },

  async removeAvatar(): Promise<UserView> {
    return this.updateMe({ avatar: '' });
  },

  async changePassword(body: ChangePasswordBody): Promise<void> {
    const login = state.user?.login;
    // the server revokes every token of the user, this one included: sign in again at once with
    // the new password (anonymous calls, so the revoked token does not log us out meanwhile)
    await api<void>('/me/password', { method: 'POST', body, anonymous: true, token: state.token ?? undefined });
    if (!login) return;
    const result = await api<{ token: string; user: UserView }>('/login', {
      body: { login, password: body.newPassword },
      anonymous: true,
    });
    setSession(result.token, result.user);
    for (const listener of tokenListeners) listener(result.token);
  },

  /** Called when the token is replaced while signed in (e.g. after a password change). */
  onTokenChanged(listener: (token: string) => void): () => void {
    tokenListeners.add(listener);
    return () => tokenListeners.delete(listener);
  },

  clearNotice(): void {
    state.notice = null;
  },
};
