/**
 * A touch held still for a moment (~500 ms) on an element: phones have no hover and no right
 * click, so this is how their menus open. Only touch and pen count (a mouse has its right
 * button); the click that ends a long press is swallowed.
 */
const HOLD_MS = 500;
/** A finger that moves further than this is scrolling, not pressing. */
const SLOP_PX = 10;

/** Keyed by event name, for `v-on="handlers"` (`clickCapture`: a click listener in the capture phase). */
export interface LongPressHandlers {
  pointerdown: (event: PointerEvent) => void;
  pointermove: (event: PointerEvent) => void;
  pointerup: () => void;
  pointercancel: () => void;
  clickCapture: (event: MouseEvent) => void;
}

export interface LongPress {
  /** Spread on the element: `v-on="longPress.handlers"`. */
  handlers: LongPressHandlers;
  /** Whether the latest press was a finger or pen (a context menu then opens the touch menu). */
  byTouch: () => boolean;
}

/** `fire` gets the press's position. */
export function useLongPress(fire: (at: { x: number; y: number }) => void): LongPress {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let start = { x: 0, y: 0 };
  let fired = false;
  let touch = false;

  const cancel = () => {
    clearTimeout(timer);
    timer = undefined;
  };

  const handlers: LongPressHandlers = {
    pointerdown(event) {
      touch = event.pointerType === 'touch' || event.pointerType === 'pen';
      fired = false;
      if (!touch || !event.isPrimary) return;
      start = { x: event.clientX, y: event.clientY };
      cancel();
      timer = setTimeout(() => {
        timer = undefined;
        fired = true;
        navigator.vibrate?.(10);
        fire(start);
      }, HOLD_MS);
    },
    pointermove(event) {
      if (timer && Math.hypot(event.clientX - start.x, event.clientY - start.y) > SLOP_PX) cancel();
    },
    pointerup: cancel,
    pointercancel: cancel,
    clickCapture(event) {
      if (!fired) return;
      fired = false;
      event.preventDefault();
      event.stopPropagation();
    },
  };
  return { handlers, byTouch: () => touch };
}
