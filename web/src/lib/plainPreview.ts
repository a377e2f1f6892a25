/**
 * The one-line preview of a message's text (the conversation list, later notifications): its
 * markdown removed by lib/markdown.ts. The parser is loaded beside the app rather than in its
 * first bundle (the list is its only user there); until it arrives, which is normally before the
 * conversations do, the text is shown as typed. Reactive: a preview made before it arrived is
 * made again when it does.
 */
import { shallowRef } from 'vue';

type MarkdownModule = typeof import('./markdown');

const markdown = shallowRef<MarkdownModule | null>(null);
/** Resolves once previews are markdown-free (for code that must not show the raw text at all). */
export const plainPreviewReady: Promise<void> = import('./markdown').then(
  (module) => void (markdown.value = module),
  () => undefined, // offline before the chunk came: previews stay as typed
);

export function plainPreview(text: string): string {
  return markdown.value ? markdown.value.markdownToPlainText(text) : text.replace(/\s+/g, ' ').trim();
}
