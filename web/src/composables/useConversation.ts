import { onBeforeUnmount, onMounted, ref, watch } from 'vue';
import { errorMessage } from '@/lib/api';
import { chat } from '@/stores/chat';
import { connection } from '@/stores/connection';

/**
 * A conversation on screen (the chat view, a live stream's chat): loads its members and newest
 * messages when it opens, marks it read while the reader sees the newest message, and refreshes
 * the members' presence after a reconnect. `id` answers '' while there is nothing to open.
 */
export function useConversation(id: () => string) {
  const loadError = ref('');
  /** Set by the MessageList (its at-bottom event). */
  const atBottom = ref(true);
  const visible = ref(document.visibilityState === 'visible');

  async function open(sessionid: string): Promise<void> {
    loadError.value = '';
    if (!sessionid) return;
    try {
      await Promise.all([chat.fetchSession(sessionid), chat.state.history[sessionid]?.loaded ? Promise.resolve() : chat.loadLatest(sessionid)]);
    } catch (e) {
      if (id() === sessionid) loadError.value = errorMessage(e);
    }
  }

  watch(id, open, { immediate: true });

  watch(
    () => [id(), chat.state.sessions[id()]?.lastSeq, atBottom.value, visible.value] as const,
    ([sessionid, lastSeq, bottom, isVisible]) => {
      if (sessionid && lastSeq !== undefined && bottom && isVisible) chat.markRead(sessionid, lastSeq);
    },
    { immediate: true },
  );

  // after a reconnect the member list's presence may be stale; a conversation shown from the
  // offline cache (history not loaded) is loaded for real once the connection is there
  watch(
    () => connection.state.status,
    (status, previous) => {
      const sessionid = id();
      if (!sessionid || status !== 'connected') return;
      const history = chat.state.history[sessionid];
      if (history && !history.loaded && !history.loading) void open(sessionid);
      else if (previous === 'reconnecting') chat.fetchSession(sessionid).catch(() => undefined);
    },
  );

  const onVisibility = () => (visible.value = document.visibilityState === 'visible');
  onMounted(() => document.addEventListener('visibilitychange', onVisibility));
  onBeforeUnmount(() => document.removeEventListener('visibilitychange', onVisibility));

  return { loadError, atBottom };
}
