/** The one user card open at a time (a dialog over the page): whose, and what opened it (focus goes back there). */
import { reactive } from 'vue';

const state = reactive({
  uid: '',
  nickname: '',
  /** The conversation the card was opened from, if any. */
  sessionid: '',
});

let opener: HTMLElement | null = null;

export const userCard = {
  state,

  open(uid: string, nickname: string, sessionid = ''): void {
    opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    state.uid = uid;
    state.nickname = nickname;
    state.sessionid = sessionid;
  },

  close(): void {
    state.uid = '';
    const back = opener;
    opener = null;
    if (back?.isConnected) back.focus();
  },
};
