import { onBeforeUnmount, watch, type Ref } from 'vue';

/** Closes a popover on Escape or on a pointer press outside it. */
export function useDismiss(open: Ref<boolean>, root: Ref<HTMLElement | null>, close: () => void): void {
  const onPointer = (event: PointerEvent) => {
    if (root.value && !root.value.contains(event.target as Node)) close();
  };
  const onKey = (event: KeyboardEvent) => {
    if (event.key === 'Escape') close();
  };
  const stop = watch(open, (isOpen) => {
    if (isOpen) {
      document.addEventListener('pointerdown', onPointer, true);
      document.addEventListener('keydown', onKey);
    } else {
      document.removeEventListener('pointerdown', onPointer, true);
      document.removeEventListener('keydown', onKey);
    }
  });
  onBeforeUnmount(() => {
    stop();
    document.removeEventListener('pointerdown', onPointer, true);
    document.removeEventListener('keydown', onKey);
  });
}
