/**
 * Message markdown: markdown-it parses, and its token stream becomes a small tree of view nodes
 * that components turn into VNodes (components/MarkdownText.vue). No HTML string is ever made, so
 * nothing a message contains can become markup: raw HTML is off in the parser, and anything the
 * tree has no node for is text.
 *
 * A chat is not a document: emphasis, strike, inline code, code blocks, quotes, lists, links and
 * line breaks are on; headings, rules, tables, images, reference links and HTML entities are off,
 * so `# hi`, `---`, `![x](y)` and `&amp;` stay as typed (an image's link stays a plain link).
 */
import MarkdownIt, { type Token } from 'markdown-it';

/** Nodes that are only a tag around their children. */
export type MdWrapperKind = 'paragraph' | 'strong' | 'em' | 'strike' | 'quote' | 'item';

export type MdNode =
  | { kind: 'text'; text: string }
  | { kind: 'break' }
  | { kind: 'code'; text: string }
  | { kind: 'codeBlock'; text: string; lang: string }
  | { kind: MdWrapperKind; children: MdNode[] }
  | { kind: 'list'; ordered: boolean; start: number; children: MdNode[] }
  | { kind: 'link'; href: string; children: MdNode[] };

type ContainerNode = Extract<MdNode, { children: MdNode[] }>;

/** Deeper quotes/lists than this are shown as typed (markdown-it would drop what lies deeper). */
export const MARKDOWN_MAX_NESTING = 20;
/** Longer texts are shown as typed, unparsed (messages are at most 16 KiB, so only odd data). */
export const MARKDOWN_MAX_CHARS = 20_000;
/** A one-line preview needs only the start of a message. */
const PREVIEW_SOURCE_CHARS = 1_000;

const LINK_PROTOCOLS = new Set(['http:', 'https:', 'mailto:']);

/** The URL when it is an absolute http, https or mailto URL; anything else is not a link. */
export function safeLinkHref(candidate: string): string | undefined {
  try {
    const url = new URL(candidate);
    return LINK_PROTOCOLS.has(url.protocol) ? url.href : undefined;
  } catch {
    return undefined;
  }
}

const md = new MarkdownIt('default', {
  html: false,
  linkify: true, // bare URLs, `www.` hosts and e-mail addresses become links
  breaks: true, // a new line in a message is a new line on screen
  typographer: false,
  maxNesting: MARKDOWN_MAX_NESTING,
});
md.disable(['heading', 'lheading', 'hr', 'table', 'reference', 'html_block', 'html_inline', 'image', 'entity']);
// bare `www.` hosts are links; other bare names (`node.js`, `config.io`) stay text
md.linkify.set({ fuzzyLink: true });
const linkifyMatch = md.linkify.match.bind(md.linkify);
md.linkify.match = (text) => linkifyMatch(text)?.filter((m) => m.schema !== '' || /^www\./i.test(m.raw)) ?? null;
// markdown-it's own check lets relative and most other schemes through; a link here must be absolute
md.validateLink = (url) => safeLinkHref(url) !== undefined;

const containers: Record<string, MdWrapperKind> = {
  paragraph_open: 'paragraph',
  strong_open: 'strong',
  em_open: 'em',
  s_open: 'strike',
  blockquote_open: 'quote',
  list_item_open: 'item',
};

/** Turns one level of tokens (block or inline) into nodes appended to the top of `stack`. */
function build(tokens: readonly Token[], stack: MdNode[][]): void {
  for (const token of tokens) {
    const into = stack[stack.length - 1]!;
    if (token.nesting === -1) {
      if (stack.length > 1) stack.pop();
      continue;
    }
    if (token.nesting === 1) {
      const node = openNode(token);
      if (node) {
        into.push(node);
        stack.push(node.children);
      } else {
        stack.push(into); // a wrapper with no node of its own: its content joins the parent
      }
      continue;
    }
    switch (token.type) {
      case 'inline':
        build(token.children ?? [], stack);
        break;
      case 'softbreak':
      case 'hardbreak':
        into.push({ kind: 'break' });
        break;
      case 'code_inline':
        into.push({ kind: 'code', text: token.content });
        break;
      case 'fence':
      case 'code_block':
        into.push({ kind: 'codeBlock', text: token.content.replace(/\n$/, ''), lang: token.info.trim().split(/\s+/)[0] ?? '' });
        break;
      default:
        if (token.content) pushText(into, token.content);
    }
  }
}

function openNode(token: Token): ContainerNode | undefined {
  const kind = containers[token.type];
  if (kind) return { kind, children: [] };
  if (token.type === 'bullet_list_open') return { kind: 'list', ordered: false, start: 1, children: [] };
  if (token.type === 'ordered_list_open') {
    const start = Number(token.attrGet('start') ?? 1);
    return { kind: 'list', ordered: true, start: Number.isSafeInteger(start) ? start : 1, children: [] };
  }
  if (token.type === 'link_open') {
    const href = safeLinkHref(String(token.attrGet('href') ?? ''));
    return href ? { kind: 'link', href, children: [] } : undefined;
  }
  return undefined;
}

function pushText(into: MdNode[], text: string): void {
  const last = into[into.length - 1];
  if (last?.kind === 'text') last.text += text;
  else into.push({ kind: 'text', text });
}

/** The text as typed: one paragraph per line run, line breaks kept, no markup. */
function asTyped(text: string): MdNode[] {
  const children: MdNode[] = [];
  text.split('\n').forEach((line, i) => {
    if (i > 0) children.push({ kind: 'break' });
    if (line) children.push({ kind: 'text', text: line });
  });
  return [{ kind: 'paragraph', children }];
}

function tooDeep(tokens: readonly Token[]): boolean {
  return tokens.some((t) => t.level >= MARKDOWN_MAX_NESTING - 1);
}

// message lists re-render often: ordinary messages are parsed once
const cache = new Map<string, readonly MdNode[]>();
const CACHE_MAX = 500;
const CACHE_TEXT_MAX = 4_000;

/** The view tree of a message's text. Shared between callers: do not modify it. */
export function parseMarkdown(text: string): readonly MdNode[] {
  const cached = cache.get(text);
  if (cached) return cached;
  let nodes: MdNode[];
  if (text.length > MARKDOWN_MAX_CHARS) {
    nodes = asTyped(text);
  } else {
    const tokens = md.parse(text, {});
    if (tooDeep(tokens)) {
      nodes = asTyped(text);
    } else {
      nodes = [];
      build(tokens, [nodes]);
    }
  }
  if (text.length <= CACHE_TEXT_MAX) {
    if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value!);
    cache.set(text, nodes);
  }
  return nodes;
}

function collectText(nodes: readonly MdNode[], out: string[]): void {
  for (const node of nodes) {
    if (node.kind === 'text' || node.kind === 'code' || node.kind === 'codeBlock') out.push(node.text);
    else if (node.kind === 'break') out.push(' ');
    else {
      const block = node.kind === 'paragraph' || node.kind === 'quote' || node.kind === 'item' || node.kind === 'list';
      if (block) out.push(' ');
      collectText(node.children, out);
      if (block) out.push(' ');
    }
  }
}

/**
 * A message's text on one line, markdown removed (`**bold**` -> `bold`, a code block -> its code,
 * a link -> its text): for the conversation list and any other one-line preview.
 */
export function markdownToPlainText(text: string): string {
  const out: string[] = [];
  collectText(parseMarkdown(text.slice(0, PREVIEW_SOURCE_CHARS)), out);
  return out.join('').replace(/\s+/g, ' ').trim();
}
