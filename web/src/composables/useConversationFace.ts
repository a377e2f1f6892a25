import { computed, toValue, type MaybeRefOrGetter } from 'vue';
import { SessionType, type SessionView } from '@protocol';
import { chat } from '@/stores/chat';

/**
 * How a conversation shows itself wherever it is named (the list, the chat header, the details
 * panel): its title, whether it is a group, and for a private chat the other person, with their
 * presence in this conversation (a status can be set per conversation). `avatar` holds UserAvatar's
 * props: a private chat shows the other person's picture, a group its own initials.
 */
export function useConversationFace(session: MaybeRefOrGetter<SessionView | undefined>) {
  const title = computed(() => {
    const current = toValue(session);
    return current ? chat.titleOf(current) : '';
  });
  const isGroup = computed(() => toValue(session)?.sessiontype === SessionType.Group);
  const otherUid = computed(() => {
    const current = toValue(session);
    return current && !isGroup.value ? chat.otherParty(current) : undefined;
  });
  const presence = computed(() => {
    const current = toValue(session);
    return current && otherUid.value ? chat.presenceOf(otherUid.value, current.sessionid) : undefined;
  });
  const avatar = computed(() => ({
    name: title.value,
    id: otherUid.value ?? toValue(session)?.sessionid ?? '',
    group: isGroup.value,
    src: chat.avatarOf(otherUid.value),
  }));
  return { title, isGroup, otherUid, presence, avatar };
}
