/**
 * A request to bring one message into view (a reply's quote, the pinned list): the message list
 * of that conversation answers it, loading older pages until the message is there.
 */
import { reactive } from 'vue';

const state = reactive({
  target: null as { sessionid: string; msgid: string; at: number } | null,
});

export const messageJump = {
  state,

  to(sessionid: string, msgid: string): void {
    // `at` makes asking twice for the same message a new request
    state.target = { sessionid, msgid, at: performance.now() };
  },

  done(): void {
    state.target = null;
  },
};
