/// <reference types="vite/client" />

declare module '*.vue' {
  import type { DefineComponent } from 'vue';
  const component: DefineComponent<object, object, unknown>;
  export default component;
}

declare module 'virtual:twemoji' {
  /** URL prefix of the bundled Twemoji SVGs (ends with a slash). */
  export const twemojiBaseUrl: string;
  /** File names (codepoints, without .svg) that have a graphic. */
  export const twemojiNames: Set<string>;
}

declare module 'virtual:twemoji-catalog' {
  export interface EmojiGroup {
    slug: string;
    icon: string;
    /** [character, English name, Chinese name] */
    emojis: [string, string, string][];
  }
  export const emojiCatalog: EmojiGroup[];
}
