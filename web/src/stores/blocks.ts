/** Whom the user blocked (GET /api/blocks): their messages in shared groups are collapsed here. */
import { reactive } from 'vue';
import type { BlocksList, UserView } from '@protocol';
import { api } from '@/lib/api';
import { friends } from './friends';
import { users } from './users';

const state = reactive({
  blocks: [] as UserView[],
  loaded: false,
});

let request: Promise<void> | null = null;

function load(): Promise<void> {
  request ??= api<BlocksList>('/blocks')
    .then(({ blocks }) => {
      state.blocks = blocks;
      state.loaded = true;
      for (const user of blocks) users.remember(user.uid, user.nickname, user.avatar ?? null);
    })
    .finally(() => {
      request = null;
    });
  return request;
}

export const blocks = {
  state,
  load,

  isBlocked(uid: string): boolean {
    return state.blocks.some((user) => user.uid === uid);
  },

  async block(uid: string): Promise<void> {
    await api<unknown>('/blocks', { body: { uid } });
    if (!state.blocks.some((user) => user.uid === uid)) {
      const known = users.state.users[uid];
      // shown at once; the reload brings the full view
      state.blocks.push({ uid, nickname: known?.nickname ?? '', avatar: known?.avatar, gender: 0, lastlogin: 0, logincount: 0, dateline: 0 });
    }
    friends.forget(uid);
    load().catch(() => undefined);
  },

  async unblock(uid: string): Promise<void> {
    await api<void>(`/blocks/${uid}`, { method: 'DELETE' });
    state.blocks = state.blocks.filter((user) => user.uid !== uid);
  },

  reset(): void {
    state.blocks = [];
    state.loaded = false;
  },
};
