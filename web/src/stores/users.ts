/** Nicknames and avatars of the people the chat names: senders, members, the other side of a private chat. */
import { reactive } from 'vue';
import type { UserView } from '@protocol';
import { api } from '@/lib/api';
import { chatCache } from '@/lib/chatCache';
import { auth } from './auth';

export interface KnownUser {
  nickname: string;
  /** A URL usable in <img>; undefined when the user has none or it is not known yet. */
  avatar?: string;
}

const state = reactive({
  users: {} as Record<string, KnownUser>,
});

/** Users being fetched right now (each once). */
const lookups = new Set<string>();

/** `avatar`: a URL, null for "has none", undefined for "not said here" (keeps what is known). */
function remember(uid: string | undefined, nickname: string | undefined, avatar?: string | null): void {
  if (!uid || !nickname) return;
  const known = state.users[uid];
  const nextAvatar = avatar === undefined ? known?.avatar : (avatar ?? undefined);
  if (known?.nickname === nickname && known.avatar === nextAvatar) return;
  state.users[uid] = nextAvatar ? { nickname, avatar: nextAvatar } : { nickname };
}

export const users = {
  state,
  remember,

  /** Fetches a user nobody has named yet (once); the views update when it arrives. */
  lookup(uid: string): void {
    if (state.users[uid] || lookups.has(uid)) return;
    lookups.add(uid);
    api<{ user: UserView }>(`/users/${uid}`)
      .then(({ user }) => {
        remember(user.uid, user.nickname, user.avatar ?? null);
        chatCache.saveUsers(auth.uid.value, state.users);
      })
      .catch(() => lookups.delete(uid));
  },

  /** The avatar URL of a user, when known (your own from your profile). */
  avatarOf(uid: string | undefined): string | undefined {
    if (!uid) return undefined;
    if (uid === auth.uid.value) return auth.state.user?.avatar;
    return state.users[uid]?.avatar;
  },

  nicknameOf(uid: string): string | undefined {
    return state.users[uid]?.nickname;
  },

  async search(q: string): Promise<UserView[]> {
    const { users: found } = await api<{ users: UserView[] }>('/users', { query: { q } });
    for (const user of found) remember(user.uid, user.nickname, user.avatar ?? null);
    return found;
  },

  reset(): void {
    state.users = {};
    lookups.clear();
  },
};
