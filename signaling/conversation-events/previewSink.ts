import type { LinkPreviewSink } from '../link-previews/LinkPreviewerTypes';
import type { ConversationEvents } from './ConversationEvents';

/** The link previewer's results, attached to their messages as change events (kind `preview`). */
export function previewSink(events: ConversationEvents): LinkPreviewSink {
  return async ({ sessionid, msgid }, card) => {
    await events.attachPreview(sessionid, msgid, {
      url: card.url,
      title: card.title,
      ...(card.description ? { description: card.description } : {}),
      ...(card.imageFileId ? { imageFileId: card.imageFileId } : {}),
    });
  };
}
