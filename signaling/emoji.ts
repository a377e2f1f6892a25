import { emojify } from 'node-emoji';

/** Turns shortcodes such as `:smile:` into emoji (S11); unknown shortcodes stay as typed. */
export function emojifyText(text: string): string {
  return text.includes(':') ? emojify(text) : text;
}
