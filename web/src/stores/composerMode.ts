/**
 * What the composer of each conversation is doing besides writing a new message: answering one
 * (a quote bar, sent as `replyTo`) or editing one in place (Enter saves through `message:edit`).
 * Kept per conversation, so switching away and back keeps it, as drafts are kept.
 */
import { reactive } from 'vue';
import type { MessageView } from '@protocol';

export type ComposerMode = { kind: 'reply'; message: MessageView } | { kind: 'edit'; message: MessageView };

const state = reactive({
  modes: {} as Record<string, ComposerMode>,
});

export const composerMode = {
  state,

  of(sessionid: string): ComposerMode | undefined {
    return state.modes[sessionid];
  },

  reply(message: MessageView): void {
    state.modes[message.sessionid] = { kind: 'reply', message };
  },

  edit(message: MessageView): void {
    state.modes[message.sessionid] = { kind: 'edit', message };
  },

  clear(sessionid: string): void {
    delete state.modes[sessionid];
  },

  /** A message changed or went: a mode about it follows (a deleted one ends it). */
  follow(message: MessageView): void {
    const mode = state.modes[message.sessionid];
    if (mode?.message.msgid !== message.msgid) return;
    if (message.deleted) delete state.modes[message.sessionid];
    else mode.message = message;
  },

  reset(): void {
    state.modes = {};
  },
};
