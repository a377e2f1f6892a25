// The shortcode table the build makes (web/vite-plugins/emojiShortcodes.ts); imported lazily.
declare module 'virtual:emoji-shortcodes' {
  /** [emoji, its shortcodes best first, separated by spaces], in emoji order. */
  export const shortcodeRows: [emoji: string, codes: string][];
}
