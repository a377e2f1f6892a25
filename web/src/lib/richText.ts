/**
 * Splits message text into plain text, link and emoji segments. Components render these as text
 * nodes, <a> and <img> elements, so user text never reaches the DOM as HTML. Names and titles use
 * this directly (RichText.vue); message bodies go through markdown first (lib/markdown.ts,
 * MarkdownText.vue), which uses the emoji segments for its text.
 */
import { parse as parseEmoji } from '@twemoji/parser';
import { twemojiBaseUrl, twemojiNames } from 'virtual:twemoji';

export type Segment =
  | { kind: 'text'; text: string }
  | { kind: 'link'; text: string; href: string }
  | { kind: 'emoji'; text: string; src: string };

const urlPattern = /\bhttps?:\/\/[^\s<>"'`]+/gi;
/** Punctuation that usually ends a sentence rather than belonging to the URL. */
const trailingPunctuation = /[.,;:!?)\]}'"]+$/;

export function twemojiUrl(codepoints: string): string | undefined {
  return twemojiNames.has(codepoints) ? `${twemojiBaseUrl}${codepoints}.svg` : undefined;
}

function safeHref(candidate: string): string | undefined {
  try {
    const url = new URL(candidate);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}

function emojiSegments(text: string, out: Segment[]): void {
  let cursor = 0;
  for (const entity of parseEmoji(text, { buildUrl: (codepoints) => codepoints })) {
    const src = twemojiUrl(entity.url);
    if (!src) continue; // no graphic: leave the character in the text
    const [start, end] = entity.indices;
    if (start > cursor) out.push({ kind: 'text', text: text.slice(cursor, start) });
    out.push({ kind: 'emoji', text: entity.text, src });
    cursor = end;
  }
  if (cursor < text.length) out.push({ kind: 'text', text: text.slice(cursor) });
}

/** Text and emoji only (no link detection): for text whose links are already found, as in markdown. */
export function toEmojiSegments(text: string): Segment[] {
  const out: Segment[] = [];
  emojiSegments(text, out);
  return out;
}

export function toSegments(text: string): Segment[] {
  const out: Segment[] = [];
  let cursor = 0;
  for (const match of text.matchAll(urlPattern)) {
    let raw = match[0];
    const trail = raw.match(trailingPunctuation);
    // keep a closing bracket that has its opening bracket inside the URL (wikipedia-style links)
    if (trail && !(trail[0] === ')' && raw.includes('('))) raw = raw.slice(0, -trail[0].length);
    const href = safeHref(raw);
    if (!href) continue;
    const start = match.index;
    if (start > cursor) emojiSegments(text.slice(cursor, start), out);
    out.push({ kind: 'link', text: raw, href });
    cursor = start + raw.length;
  }
  if (cursor < text.length) emojiSegments(text.slice(cursor), out);
  return out;
}

/** True when the text is only 1-3 emoji (shown large, like most chat apps do). */
export function isEmojiOnly(segments: Segment[]): boolean {
  const visible = segments.filter((s) => !(s.kind === 'text' && s.text.trim() === ''));
  return visible.length > 0 && visible.length <= 3 && visible.every((s) => s.kind === 'emoji');
}
