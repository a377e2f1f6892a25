/**
 * Emoji shortcodes in the composer: finding the `:query` being typed before the caret, a completed
 * `:code:` to replace, and the emoji that match a query. Plain functions over the table the build
 * makes from emojibase-data (web/vite-plugins/emojiShortcodes.ts), so they run without a browser.
 */

/** [emoji, its shortcodes best first, separated by spaces], as the build writes them. */
export type ShortcodeRow = readonly [emoji: string, codes: string];

export interface ShortcodeMatch {
  emoji: string;
  /** The shortcode that matched, shown next to the emoji. */
  code: string;
}

/** What the caret is in: `:query` from `start` (the colon) to the caret. */
export interface ShortcodeQuery {
  start: number;
  query: string;
}

export class ShortcodeTable {
  readonly #rows: { emoji: string; codes: string[] }[];
  readonly #byCode = new Map<string, string>();

  constructor(rows: readonly ShortcodeRow[]) {
    this.#rows = rows.map(([emoji, codes]) => ({ emoji, codes: codes.split(' ') }));
    for (const row of this.#rows) for (const code of row.codes) if (!this.#byCode.has(code)) this.#byCode.set(code, row.emoji);
  }

  /** The emoji a complete shortcode names (`thumbsup`, `+1`), case-insensitive. */
  emojiOf(code: string): string | undefined {
    return this.#byCode.get(code.toLowerCase());
  }

  /**
   * Emoji whose shortcodes match `query`: the exact code first, then codes starting with it, then
   * codes with a word (after `_`) starting with it; shorter codes first, then emoji order.
   */
  search(query: string, limit = 8): ShortcodeMatch[] {
    const q = query.toLowerCase();
    if (!q) return [];
    const found: { match: ShortcodeMatch; rank: number; order: number }[] = [];
    this.#rows.forEach((row, order) => {
      let best: { code: string; rank: number } | undefined;
      for (const code of row.codes) {
        const rank = code === q ? 0 : code.startsWith(q) ? 1 : code.includes(`_${q}`) ? 2 : -1;
        if (rank < 0) continue;
        if (!best || rank < best.rank || (rank === best.rank && code.length < best.code.length)) best = { code, rank };
      }
      if (best) found.push({ match: { emoji: row.emoji, code: best.code }, rank: best.rank, order });
    });
    found.sort((a, b) => a.rank - b.rank || a.match.code.length - b.match.code.length || a.order - b.order);
    return found.slice(0, limit).map((f) => f.match);
  }
}

/** Characters a shortcode is made of (all emojibase codes are lower-case ASCII with these). */
const CODE = '[a-z0-9_+\\-]';
/**
 * A colon that starts a shortcode: at the start or after a space or an opening bracket/quote, so
 * `12:30`, `http://` and `a:b` never open the list.
 */
const LEAD = '(?:^|[\\s([{"\'])';
const typingPattern = new RegExp(`${LEAD}:(${CODE}{2,})$`, 'i');
const completedPattern = new RegExp(`${LEAD}:(${CODE}+):$`, 'i');
/** Enough to start loading the table: a colon and one code character. */
const startingPattern = new RegExp(`${LEAD}:${CODE}$`, 'i');

/** The `:query` (two characters or more) that ends at the caret, if any. */
export function shortcodeQueryAt(text: string, caret: number): ShortcodeQuery | undefined {
  const before = text.slice(Math.max(0, caret - 64), caret);
  const match = typingPattern.exec(before);
  if (!match) return undefined;
  const query = match[1]!;
  return { start: caret - query.length - 1, query };
}

/** A complete `:code:` that ends at the caret: where it starts and the code inside the colons. */
export function completedShortcodeAt(text: string, caret: number): ShortcodeQuery | undefined {
  const before = text.slice(Math.max(0, caret - 64), caret);
  const match = completedPattern.exec(before);
  if (!match) return undefined;
  const query = match[1]!;
  return { start: caret - query.length - 2, query };
}

/** True when the text before the caret looks like the start of a shortcode (time to load the table). */
export function startsShortcode(text: string, caret: number): boolean {
  const before = text.slice(Math.max(0, caret - 64), caret);
  return startingPattern.test(before) || typingPattern.test(before) || completedPattern.test(before);
}
