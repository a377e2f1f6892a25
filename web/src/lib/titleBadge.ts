/**
 * The unread count in front of the tab's title, "(3) Chats · CookIM". The router sets the title on
 * every page change: the count is put back whenever the title changes without it.
 */
const PREFIX = /^\(\d+\+?\) /;

let count = 0;
let observer: MutationObserver | undefined;

/** The title with `n` in front (none for 0); pure, for tests. */
export function titleWithCount(title: string, n: number): string {
  const bare = title.replace(PREFIX, '');
  if (n <= 0) return bare;
  return `(${n > 99 ? '99+' : n}) ${bare}`;
}

function apply(): void {
  const wanted = titleWithCount(document.title, count);
  if (document.title !== wanted) document.title = wanted;
}

export const titleBadge = {
  set(n: number): void {
    count = n;
    apply();
    if (!observer && typeof MutationObserver !== 'undefined') {
      observer = new MutationObserver(apply);
      observer.observe(document.head, { subtree: true, childList: true, characterData: true });
    }
  },

  clear(): void {
    observer?.disconnect();
    observer = undefined;
    count = 0;
    apply();
  },
};
