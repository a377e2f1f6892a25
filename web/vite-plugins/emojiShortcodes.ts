/**
 * Builds the composer's emoji shortcode table from emojibase-data at build time and serves it as
 * `virtual:emoji-shortcodes`. The composer imports it lazily (on the first `:` typed), so neither
 * the shortcode files nor emojibase's labels reach the main bundle: only [emoji, codes] pairs do.
 *
 * Shortcode sets, best first: GitHub's (what people type: `thumbsup`, `+1`, `smile`, `joy`,
 * `heart`), then emojibase's own, then CLDR's. A code names one emoji only: the first set that uses
 * it wins, so `:umbrella:` means the same emoji whichever sets also list it.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Plugin } from 'vite';

const require = createRequire(import.meta.url);
const VIRTUAL_ID = 'virtual:emoji-shortcodes';
const SETS = ['github', 'emojibase', 'cldr'] as const;
/** emojibase groups: 2 is "component" (skin tones, hair), not something to send on its own. */
const COMPONENT_GROUP = 2;

interface CompactEmoji {
  hexcode: string;
  unicode: string;
  group?: number;
  order?: number;
}

/** hexcode -> one shortcode or several, as emojibase ships them. */
type ShortcodeFile = Record<string, string | string[]>;

/** One row of the table: the emoji character and its shortcodes, best first, separated by spaces. */
export type ShortcodeRow = [emoji: string, codes: string];

function readJson<T>(specifier: string): T {
  return JSON.parse(readFileSync(require.resolve(specifier), 'utf8')) as T;
}

/**
 * emojibase writes a variation selector after every emoji; one after a character that is drawn as
 * an emoji anyway is noise (and would differ from what the picker inserts for the same emoji).
 */
function textForm(unicode: string): string {
  return unicode.replace(/(\p{Emoji_Presentation})\uFE0F/gu, '$1');
}

/** The table in emoji order (the order of emoji pickers), skin-tone variants left out. */
export function buildShortcodeTable(): ShortcodeRow[] {
  const emojis = readJson<CompactEmoji[]>('emojibase-data/en/compact.json')
    .filter((e) => e.group !== undefined && e.group !== COMPONENT_GROUP)
    .sort((a, b) => (a.order ?? 0) - (b.order ?? 0));
  const sets = SETS.map((set) => readJson<ShortcodeFile>(`emojibase-data/en/shortcodes/${set}.json`));
  const owner = new Map<string, string>(); // code -> hexcode that took it
  const codes = new Map<string, string[]>(); // hexcode -> its codes
  for (const set of sets) {
    for (const emoji of emojis) {
      for (const code of [set[emoji.hexcode] ?? []].flat()) {
        const normal = code.toLowerCase();
        if (owner.has(normal)) continue;
        owner.set(normal, emoji.hexcode);
        codes.set(emoji.hexcode, [...(codes.get(emoji.hexcode) ?? []), normal]);
      }
    }
  }
  return emojis.filter((e) => codes.has(e.hexcode)).map((e) => [textForm(e.unicode), codes.get(e.hexcode)!.join(' ')]);
}

export function emojiShortcodesPlugin(): Plugin {
  return {
    name: 'cookim-emoji-shortcodes',
    resolveId(id) {
      return id === VIRTUAL_ID ? '\0' + VIRTUAL_ID : null;
    },
    load(id) {
      if (id !== '\0' + VIRTUAL_ID) return null;
      return `export const shortcodeRows = ${JSON.stringify(buildShortcodeTable())};`;
    },
  };
}
