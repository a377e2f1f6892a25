import { onBeforeUnmount, ref, type Ref } from 'vue';

/** A ref that follows a CSS media query, e.g. to switch between one-pane and two-pane layouts. */
export function useMediaQuery(query: string): Ref<boolean> {
  const list = window.matchMedia(query);
  const matches = ref(list.matches);
  const update = (event: MediaQueryListEvent) => (matches.value = event.matches);
  list.addEventListener('change', update);
  onBeforeUnmount(() => list.removeEventListener('change', update));
  return matches;
}
