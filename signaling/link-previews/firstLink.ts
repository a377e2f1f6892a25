import MarkdownIt, { type Token } from 'markdown-it';

/** Longest URL previewed (and cached by). */
export const URL_MAX = 2048;

/**
 * Links are found as the markdown renderer finds them (markdown-it with its linkifier), so what is
 * previewed is what shows as a link: not inside code, explicit `[text](url)` links included.
 */
const markdown = new MarkdownIt({ html: false, linkify: true });
// Fuzzy links on, so `www.` is found; bare names (`example.com`) are dropped again in linkTarget.
markdown.linkify.set({ fuzzyLink: true, fuzzyEmail: false });

/**
 * The first http(s) link of a message text, normalized, or null. `www.example.com` counts (as
 * https); a bare `example.com` does not, nor do other schemes.
 */
export function firstLink(text: string): string | null {
  for (const block of markdown.parse(text, {})) {
    const children = block.type === 'inline' ? block.children ?? [] : [];
    for (let i = 0; i < children.length; i++) {
      const href = linkTarget(children[i], children[i + 1]);
      const url = href ? normalizeUrl(href) : null;
      if (url) return url;
    }
  }
  return null;
}

function linkTarget(token: Token, next: Token | undefined): string | null {
  if (token.type !== 'link_open') return null;
  const raw = token.attrGet('href');
  const href = typeof raw === 'string' ? raw : '';
  if (!href) return null;
  if (token.markup !== 'linkify') return href;
  // The linkifier also links bare names (`example.com`) and gives `www.` links an http scheme:
  // take only what was typed with a scheme or with `www.`, and reach `www.` over https.
  const typed = next?.type === 'text' ? next.content : '';
  if (/^https?:\/\//i.test(typed)) return href;
  if (/^www\./i.test(typed)) return href.replace(/^http:\/\//i, 'https://');
  return null;
}

/**
 * The cache key of a link: an absolute http(s) URL without its fragment (the host lower-cased and a
 * default port dropped by the URL parser); null for anything else or a URL longer than URL_MAX.
 */
export function normalizeUrl(text: string): string | null {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  if (url.username || url.password || !url.hostname) return null;
  url.hash = '';
  return url.href.length <= URL_MAX ? url.href : null;
}
