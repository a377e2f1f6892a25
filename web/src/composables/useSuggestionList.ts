import { computed, onBeforeUnmount, ref, shallowRef, watch, type ComputedRef, type Ref } from 'vue';

/** What is being typed at the caret that suggestions complete: where its token starts. */
export interface SuggestionQuery {
  start: number;
}

export interface SuggestionListOptions<Q extends SuggestionQuery, T> {
  input: () => HTMLTextAreaElement | null;
  /** The composer's text: set by code too (sent, another conversation's draft, the picker). */
  text: () => string;
  listId: () => string;
  /** The token at the caret, undefined when there is nothing to suggest; `typed` when text was just inserted. */
  find: (text: string, caret: number, typed: boolean) => Q | undefined;
  /** The suggestions for a token (read inside a computed: reactive sources are followed). */
  search: (query: Q) => readonly T[];
  /** Puts the chosen suggestion in place of the text from `start` to `end` (the caret). */
  choose: (item: T, start: number, end: number) => void;
}

export interface SuggestionList<T> {
  matches: ComputedRef<readonly T[]>;
  /** Index of the highlighted suggestion. */
  active: Ref<number>;
  open: ComputedRef<boolean>;
  /** The highlighted option's element id (the textarea's aria-activedescendant). */
  activeId: ComputedRef<string | undefined>;
  close: () => void;
  refresh: (typed: boolean) => void;
  pick: (index: number) => void;
  /** The composer's keydown handler asks this first; true when the key was used here. */
  onKeydown: (event: KeyboardEvent) => boolean;
  /** What SuggestionList.vue needs from here (`v-bind` it). */
  bindings: ComputedRef<{
    items: readonly T[];
    active: number;
    listId: string;
    onHover: (index: number) => void;
    onPick: (index: number) => void;
  }>;
}

/**
 * An autocomplete listbox for a composer's textarea, which keeps the focus (the composer is the
 * combobox): up/down move, Enter or Tab pick, Esc closes until the caret leaves the token; the
 * caret moving (click, arrow keys) or the textarea losing focus reads the token again.
 */
export function useSuggestionList<Q extends SuggestionQuery, T>(options: SuggestionListOptions<Q, T>): SuggestionList<T> {
  const query = shallowRef<Q | undefined>();
  const active = ref(0);
  /** Where the token closed with Esc starts: it stays closed until the caret leaves it. */
  let dismissedAt: number | undefined;

  const matches = computed(() => (query.value ? options.search(query.value) : []));
  const open = computed(() => matches.value.length > 0);
  const activeId = computed(() => (open.value ? `${options.listId()}-${active.value}` : undefined));

  function close(): void {
    query.value = undefined;
  }

  function refresh(typed: boolean): void {
    const el = options.input();
    if (!el || el.selectionStart !== el.selectionEnd) return close();
    const found = options.find(el.value, el.selectionStart, typed);
    if (!found) dismissedAt = undefined;
    if (!found || found.start === dismissedAt) return close();
    if (found.start !== query.value?.start) active.value = 0;
    query.value = found;
  }

  function pick(index: number): void {
    const el = options.input();
    const chosen = matches.value[index];
    if (!el || chosen === undefined || !query.value) return;
    const start = query.value.start;
    close();
    options.choose(chosen, start, el.selectionStart);
  }

  function onKeydown(event: KeyboardEvent): boolean {
    if (!open.value || event.isComposing || event.altKey || event.ctrlKey || event.metaKey) return false;
    const count = matches.value.length;
    switch (event.key) {
      case 'ArrowDown':
        active.value = (active.value + 1) % count;
        break;
      case 'ArrowUp':
        active.value = (active.value - 1 + count) % count;
        break;
      case 'Enter':
      case 'Tab':
        if (event.shiftKey) return false;
        pick(active.value);
        break;
      case 'Escape':
        dismissedAt = query.value?.start;
        close();
        event.stopPropagation();
        break;
      default:
        return false;
    }
    event.preventDefault();
    return true;
  }

  const onCaretKey = (event: KeyboardEvent) => {
    if (['ArrowLeft', 'ArrowRight', 'Home', 'End'].includes(event.key)) refresh(false);
  };
  const onCaretClick = () => refresh(false);
  function unlisten(el: HTMLTextAreaElement | null | undefined): void {
    el?.removeEventListener('keyup', onCaretKey);
    el?.removeEventListener('click', onCaretClick);
    el?.removeEventListener('blur', close);
  }
  watch(
    options.input,
    (el, previous) => {
      unlisten(previous);
      el?.addEventListener('keyup', onCaretKey);
      el?.addEventListener('click', onCaretClick);
      el?.addEventListener('blur', close);
    },
    { immediate: true },
  );
  onBeforeUnmount(() => unlisten(options.input()));

  // once the DOM has the new text: a list left from before a send or a draft switch goes away
  watch(options.text, () => refresh(false), { flush: 'post' });

  watch(activeId, (id) => {
    if (id) document.getElementById(id)?.scrollIntoView({ block: 'nearest' });
  });

  const bindings = computed(() => ({
    items: matches.value,
    active: active.value,
    listId: options.listId(),
    onHover: (index: number) => (active.value = index),
    onPick: pick,
  }));

  return { matches, active, open, activeId, close, refresh, pick, onKeydown, bindings };
}
