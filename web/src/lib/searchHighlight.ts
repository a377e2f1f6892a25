/**
 * The parts of a found message to show, with the query's words marked: rendered as text nodes
 * (never HTML). Matching is case-insensitive; a Chinese/Japanese/Korean run of the query is
 * looked for whole, then by its character pairs (the server matched the pairs).
 */
export interface HighlightPart {
  text: string;
  hit: boolean;
}

const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;
const TOKEN = /[\p{L}\p{N}\p{M}]+/gu;
/** Characters of context kept before the first match of a long message. */
const LEAD = 40;
const MAX_LENGTH = 240;

function needlesOf(query: string): string[] {
  const out = new Set<string>();
  for (const [token] of query.normalize('NFKC').toLowerCase().matchAll(TOKEN)) {
    out.add(token);
    if (CJK.test(token)) {
      const chars = [...token];
      for (let i = 0; i + 1 < chars.length; i++) out.add(chars[i] + chars[i + 1]);
    }
  }
  // Longest first, so a whole run wins over its pairs.
  return [...out].sort((a, b) => b.length - a.length);
}

export function highlightParts(text: string, query: string): HighlightPart[] {
  const lower = text.toLowerCase();
  // Lower-casing that changes lengths would misplace the marks: show the text unmarked.
  const marks = new Array<boolean>(text.length).fill(false);
  if (lower.length === text.length) {
    for (const needle of needlesOf(query)) {
      for (let at = lower.indexOf(needle); at >= 0; at = lower.indexOf(needle, at + needle.length)) {
        for (let i = at; i < at + needle.length; i++) marks[i] = true;
      }
    }
  }
  const first = marks.indexOf(true);
  const start = first > LEAD && text.length > MAX_LENGTH ? first - LEAD : 0;
  const end = Math.min(text.length, start + MAX_LENGTH);
  const parts: HighlightPart[] = [];
  if (start > 0) parts.push({ text: '…', hit: false });
  for (let i = start; i < end; ) {
    let j = i;
    while (j < end && marks[j] === marks[i]) j++;
    parts.push({ text: text.slice(i, j), hit: marks[i] });
    i = j;
  }
  if (end < text.length) parts.push({ text: '…', hit: false });
  return parts;
}
