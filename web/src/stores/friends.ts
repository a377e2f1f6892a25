/**
 * The user's friends and friend requests (GET /api/friends), kept current by `friends:update`:
 * an event names the other user and the new state, and the list is fetched again for their view.
 */
import { reactive } from 'vue';
import type { FriendState, FriendStateAnswer, FriendsList, FriendUpdateEvent, PersonView } from '@protocol';
import { api } from '@/lib/api';
import { presence } from './presence';
import { users } from './users';

const state = reactive({
  friends: [] as PersonView[],
  incoming: [] as PersonView[],
  outgoing: [] as PersonView[],
  /** The state of each user known here, also for users the lists do not hold yet. */
  states: {} as Record<string, FriendState>,
  loaded: false,
  error: '',
});

let request: Promise<void> | null = null;

function apply(answer: FriendsList): void {
  state.friends = answer.friends;
  state.incoming = answer.incoming;
  state.outgoing = answer.outgoing;
  const states: Record<string, FriendState> = {};
  for (const [list, name] of [
    [answer.friends, 'friends'],
    [answer.incoming, 'incoming'],
    [answer.outgoing, 'outgoing'],
  ] as const) {
    for (const user of list) {
      states[user.uid] = name;
      users.remember(user.uid, user.nickname, user.avatar ?? null);
      // the list's presence, unless a live report is newer
      if (!presence.state.presence[user.uid]) presence.reported(user.uid, user.presence);
    }
  }
  state.states = states;
  state.loaded = true;
  state.error = '';
}

function load(): Promise<void> {
  request ??= api<FriendsList>('/friends')
    .then(apply)
    .catch((error: unknown) => {
      state.error = error instanceof Error ? error.message : String(error);
      throw error;
    })
    .finally(() => {
      request = null;
    });
  return request;
}

/** After a change of ours: the answer's state at once, the lists when they come. */
function changed(uid: string, next: FriendState): void {
  state.states[uid] = next;
  load().catch(() => undefined);
}

export const friends = {
  state,
  load,

  stateOf(uid: string): FriendState {
    return state.states[uid] ?? 'none';
  },

  /** A `friends:update` event. */
  updated({ uid, state: next }: FriendUpdateEvent): void {
    changed(uid, next);
  },

  /** Asks to be friends (friends at once when they had asked us: the answer says which). */
  async request(uid: string): Promise<void> {
    changed(uid, (await api<FriendStateAnswer>('/friends/requests', { body: { uid } })).state);
  },

  async accept(uid: string): Promise<void> {
    changed(uid, (await api<FriendStateAnswer>(`/friends/requests/${uid}/accept`, { method: 'POST' })).state);
  },

  async decline(uid: string): Promise<void> {
    changed(uid, (await api<FriendStateAnswer>(`/friends/requests/${uid}/decline`, { method: 'POST' })).state);
  },

  /** Ends a friendship, or cancels our own request. */
  async remove(uid: string): Promise<void> {
    changed(uid, (await api<FriendStateAnswer>(`/friends/${uid}`, { method: 'DELETE' })).state);
  },

  /** Blocking ends a friendship and its requests on the server: the lists follow. */
  forget(uid: string): void {
    changed(uid, 'none');
  },

  reset(): void {
    state.friends = [];
    state.incoming = [];
    state.outgoing = [];
    state.states = {};
    state.loaded = false;
    state.error = '';
  },
};
