import { Parser } from 'htmlparser2';

/** What a page's head says about it, plain text, trimmed and bounded. */
export interface PageMetadata {
  title?: string;
  description?: string;
  siteName?: string;
  /** Absolute http(s) URL of the page's image. */
  image?: string;
}

export const TITLE_MAX = 200;
export const DESCRIPTION_MAX = 500;
export const SITE_NAME_MAX = 100;
const IMAGE_URL_MAX = 2048;

/** Meta names and properties, in order of preference, for each field. */
const SOURCES = {
  title: ['og:title', 'twitter:title'],
  description: ['og:description', 'twitter:description', 'description'],
  siteName: ['og:site_name', 'application-name'],
  image: ['og:image:secure_url', 'og:image:url', 'og:image', 'twitter:image', 'twitter:image:src'],
} as const;

/**
 * Reads Open Graph, Twitter card and plain HTML metadata from a page (its head is enough) with
 * htmlparser2, which also decodes entities. `pageUrl` is where the page was found: relative image
 * URLs are resolved against it (or against the page's `<base href>`).
 */
export function parsePageMetadata(html: string, pageUrl: URL): PageMetadata {
  const meta = new Map<string, string>();
  let title: string | undefined;
  let titleText = '';
  let inTitle = false;
  // <title> inside an inline <svg> names the drawing, not the page.
  let svgDepth = 0;
  let base = pageUrl;
  let imageSrc: string | undefined;
  let done = false;

  const parser = new Parser(
    {
      onopentag(name, attrs) {
        if (done) return;
        if (name === 'svg') svgDepth++;
        else if (name === 'title' && svgDepth === 0 && title === undefined) {
          inTitle = true;
          titleText = '';
        } else if (name === 'meta') {
          const key = (attrs.property ?? attrs.name ?? attrs.itemprop ?? '').trim().toLowerCase();
          // The first value of a key wins, as crawlers do (pages repeat og:image for alternatives).
          if (key && attrs.content !== undefined && !meta.has(key)) meta.set(key, attrs.content);
        } else if (name === 'base' && attrs.href) {
          const resolved = httpUrl(attrs.href, pageUrl);
          if (resolved) base = resolved;
        } else if (name === 'link' && imageSrc === undefined && /(^|\s)image_src(\s|$)/i.test(attrs.rel ?? '') && attrs.href) {
          imageSrc = attrs.href;
        } else if (name === 'body') {
          // Metadata lives in the head; the body is not read for it.
          done = true;
        }
      },
      ontext(text) {
        if (inTitle) titleText += text;
      },
      onclosetag(name) {
        if (name === 'svg' && svgDepth > 0) svgDepth--;
        else if (name === 'title' && inTitle) {
          inTitle = false;
          title = titleText;
        } else if (name === 'head') done = true;
      },
    },
    { decodeEntities: true },
  );
  parser.write(html);
  parser.end();
  // A page cut off inside its <title> still names itself.
  if (inTitle && title === undefined) title = titleText;

  const pick = (keys: readonly string[]) => keys.map((k) => meta.get(k)).find((v) => v !== undefined && clean(v) !== '');
  const imageRaw = pick(SOURCES.image) ?? imageSrc;
  const image = imageRaw !== undefined ? httpUrl(imageRaw.trim(), base) : null;
  const result: PageMetadata = {
    title: bounded(pick(SOURCES.title) ?? title, TITLE_MAX),
    description: bounded(pick(SOURCES.description), DESCRIPTION_MAX),
    siteName: bounded(pick(SOURCES.siteName), SITE_NAME_MAX),
    image: image && image.href.length <= IMAGE_URL_MAX ? image.href : undefined,
  };
  for (const key of Object.keys(result) as (keyof PageMetadata)[]) if (result[key] === undefined) delete result[key];
  return result;
}

/**
 * Decodes the page's bytes: the charset of the Content-Type header, else of a `<meta charset>` near
 * the top, else UTF-8 (a BOM wins over both, as in browsers).
 */
export function decodeHtml(body: Buffer, contentType: string): string {
  const declared = charsetOf(contentType) ?? charsetOf(body.subarray(0, 2048).toString('latin1'));
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(declared ?? 'utf-8');
  } catch {
    decoder = new TextDecoder('utf-8');
  }
  return decoder.decode(body);
}

function charsetOf(text: string): string | undefined {
  return /charset\s*=\s*["']?\s*([\w.:-]+)/i.exec(text)?.[1];
}

function httpUrl(text: string, base: URL): URL | null {
  try {
    const url = new URL(text, base);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url : null;
  } catch {
    return null;
  }
}

/** One line of plain text: whitespace collapsed, control characters gone. */
function clean(text: string): string {
  return text
    .replace(/[\u0000-\u001f\u007f-\u009f\u200b\u2028\u2029\ufeff]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Cleaned and cut to `max` characters (whole code points, an ellipsis when cut); undefined when empty. */
function bounded(text: string | undefined, max: number): string | undefined {
  if (text === undefined) return undefined;
  const value = clean(text);
  if (value === '') return undefined;
  const points = Array.from(value);
  return points.length <= max ? value : `${points.slice(0, max - 1).join('').trimEnd()}…`;
}
