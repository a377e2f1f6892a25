/** The one full-size image viewer of the app: any thumbnail opens it, Esc or a tap closes it. */
import { reactive, readonly } from 'vue';

export interface LightboxImage {
  src: string;
  name: string;
  width?: number;
  height?: number;
}

const state = reactive<{ image: LightboxImage | null }>({ image: null });
let opener: HTMLElement | null = null;

export const lightbox = {
  state: readonly(state),
  open(image: LightboxImage, from?: HTMLElement | null): void {
    state.image = image;
    opener = from ?? null;
  },
  close(): void {
    state.image = null;
    // give focus back to the thumbnail that opened it (keyboard users)
    opener?.focus({ preventScroll: true });
    opener = null;
  },
};
