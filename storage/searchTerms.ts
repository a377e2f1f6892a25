/**
 * The words of message search (issue 13): what a message is indexed under, and what a query asks for.
 *
 * Chinese, Japanese and Korean are written without spaces between words, so their runs are indexed
 * as overlapping character pairs ("上海东边" -> 上海 海东 东边) plus the run's last character alone;
 * a query pair then matches inside any sentence. Other scripts are split into words (Unicode
 * letters, digits and marks), case-folded, NFKC-folded (full-width forms) and with Latin, Greek
 * and Cyrillic diacritics removed ("Café" -> cafe). There is no stemming: `hike` does not find
 * "Hiking", but the last word of a query of 3 or more characters is matched as a prefix (`hik`
 * finds it). Both sides use the same rules, so only documented MongoDB operators are needed
 * (`$all` on the terms array, an anchored `$regex` for prefixes).
 */

const CJK_CLASS = '\\p{Script=Han}\\p{Script=Hiragana}\\p{Script=Katakana}\\p{Script=Hangul}\\u3005\\u30FC';
/** A CJK run, or a word of any other script (letters, digits, marks; CJK excluded by the first branch winning at each start). */
const TOKEN = new RegExp(`([${CJK_CLASS}]+)|([\\p{L}\\p{N}\\p{M}]+)`, 'gu');
const CJK_CHAR = new RegExp(`[${CJK_CLASS}]`, 'u');
/** Diacritics of scripts where they are accents (removable), not vowels. */
const ACCENTS = /(\p{Script=Latin}|\p{Script=Greek}|\p{Script=Cyrillic})\p{Mn}+/gu;

/** Distinct terms kept per message: a very long message is searchable by its first part only. */
export const MAX_TERMS_PER_MESSAGE = 256;
/** Longer words are cut to this many characters (on both sides, so they still match). */
export const MAX_TERM_LENGTH = 32;
/** Conditions one query may carry. */
export const MAX_QUERY_TERMS = 32;
/** The last query word is matched as a prefix from this many characters on. */
export const PREFIX_MIN_LENGTH = 3;

interface Token {
  text: string;
  cjk: boolean;
}

function* tokens(text: string): Generator<Token> {
  const folded = text.normalize('NFKC').toLowerCase();
  for (const match of folded.matchAll(TOKEN)) {
    if (match[1]) {
      yield { text: match[1], cjk: true };
    } else {
      // A word may still hold CJK characters when a mark joined them (the first branch did not start there): split them off.
      for (const part of splitCjk(match[2])) yield part;
    }
  }
}

function* splitCjk(word: string): Generator<Token> {
  let current = '';
  let currentCjk = false;
  for (const ch of word) {
    const cjk = CJK_CHAR.test(ch);
    if (current && cjk !== currentCjk) {
      yield currentCjk ? { text: current, cjk: true } : { text: foldWord(current), cjk: false };
      current = '';
    }
    current += ch;
    currentCjk = cjk;
  }
  if (current) yield currentCjk ? { text: current, cjk: true } : { text: foldWord(current), cjk: false };
}

function foldWord(word: string): string {
  const bare = word.normalize('NFD').replace(ACCENTS, '$1').normalize('NFC');
  return cut(bare);
}

function cut(term: string): string {
  const chars = [...term];
  return chars.length > MAX_TERM_LENGTH ? chars.slice(0, MAX_TERM_LENGTH).join('') : term;
}

/** Overlapping pairs of a CJK run (as code points). */
function pairs(chars: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i + 1 < chars.length; i++) out.push(chars[i] + chars[i + 1]);
  return out;
}

/**
 * The terms a text is indexed under: distinct, in order of appearance, at most
 * MAX_TERMS_PER_MESSAGE. Edits and deletes store `searchTermsOf(newText)` (or `[]`) with the message.
 */
export function searchTermsOf(text: string): string[] {
  const terms = new Set<string>();
  for (const token of tokens(text)) {
    if (token.cjk) {
      const chars = [...token.text];
      for (const pair of pairs(chars)) terms.add(pair);
      // The last character alone, so a one-character query (a prefix) finds every position.
      terms.add(chars[chars.length - 1]);
    } else if (token.text) {
      terms.add(token.text);
    }
    if (terms.size >= MAX_TERMS_PER_MESSAGE) break;
  }
  return [...terms].slice(0, MAX_TERMS_PER_MESSAGE);
}

/** The searchable text of a message: a text message's text, a file's name, a live stream's title. */
export function searchableTextOf(message: { msgtype: number; content: string; fileinfo?: { filename: string }; liveinfo?: { title: string } }): string {
  const parts: string[] = [];
  if (message.msgtype === 0) parts.push(message.content);
  if (message.fileinfo?.filename) parts.push(message.fileinfo.filename);
  if (message.liveinfo?.title) parts.push(message.liveinfo.title);
  return parts.join('\n');
}

/** What a query asks for: every `terms` must be stored, and for each prefix some stored term must start with it. */
export interface SearchQueryTerms {
  terms: string[];
  prefixes: string[];
}

/**
 * A query in index terms. CJK runs of two or more characters become their pairs (without the
 * run's last character alone, which in a stored sentence is usually followed by more text); a
 * single CJK character becomes a prefix (it starts a stored pair or is a run's last character);
 * words are exact, except a last word of PREFIX_MIN_LENGTH or more characters, which is a prefix.
 */
export function parseSearchQuery(query: string): SearchQueryTerms {
  const all = [...tokens(query)];
  const terms = new Set<string>();
  const prefixes = new Set<string>();
  all.forEach((token, i) => {
    if (token.cjk) {
      const chars = [...token.text];
      if (chars.length === 1) prefixes.add(chars[0]);
      else for (const pair of pairs(chars)) terms.add(pair);
    } else if (i === all.length - 1 && [...token.text].length >= PREFIX_MIN_LENGTH) {
      prefixes.add(token.text);
    } else {
      terms.add(token.text);
    }
  });
  for (const prefix of prefixes) if (terms.has(prefix)) prefixes.delete(prefix);
  return { terms: [...terms].slice(0, MAX_QUERY_TERMS), prefixes: [...prefixes].slice(0, MAX_QUERY_TERMS) };
}
