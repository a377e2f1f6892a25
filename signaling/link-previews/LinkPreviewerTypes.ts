import type { Logger } from 'pino';
import type { FileStore } from '../../storage/FileStore';
import type { LinkPreviewStore } from '../../storage/LinkPreviewStore';
import type { Thumbnailer } from '../files/Thumbnailer';

/** What a page says about itself, as the server found it (bounded, plain text). */
export interface LinkPreview {
  /** The link as posted, normalized (the cache key); not where redirects ended. */
  url: string;
  title: string;
  description?: string;
  siteName?: string;
  /** The page's image, re-encoded and stored as a product file (see previewImageUrl). */
  imageFileId?: string;
}

/** The message a preview belongs to. */
export interface LinkPreviewTarget {
  sessionid: string;
  msgid: string;
}

/**
 * A preview as a message carries it (PROTOCOL.md, `preview?: { url, title, description?, imageUrl? }`).
 * `imageUrl` is the unsigned file path (`/api/files/<fileid>`): store that, and sign it per viewer
 * like other file URLs (`imageFileId`, variant `file`), since an `<img>` cannot send a Bearer token.
 */
export interface LinkPreviewCard {
  url: string;
  title: string;
  description?: string;
  imageUrl?: string;
  imageFileId?: string;
}

/**
 * Where a finished preview goes (the lead wires it to `message:update` kind `preview`). Called once
 * per message, in the background, after the message was stored; its failures are logged.
 */
export type LinkPreviewSink = (target: LinkPreviewTarget, preview: LinkPreviewCard) => Promise<void>;

/** The parts of a stored message a preview needs (a MessageDoc fits). */
export interface PreviewableMessage {
  _id: { toHexString(): string };
  sessionid: string;
  msgtype: number;
  content: string;
}

/** Bounds of one fetch (a page, or its image). */
export interface FetchBounds {
  /** Everything, redirects included, must be over within this time (ms). */
  timeoutMs: number;
  /** Bytes read at most (after decompression). */
  maxBytes: number;
  /** Redirects followed at most; one more is refused. */
  maxRedirects: number;
  /** Whether the server may connect to an address (addressPolicy.ts); asked for every connection. */
  addressAllowed(address: string): boolean;
}

export interface LinkPreviewerOptions {
  /** LINK_PREVIEWS: false turns the whole feature off (nothing is fetched, nothing scheduled). */
  enabled: boolean;
  /** LINK_PREVIEW_ALLOW_PRIVATE: any address may be fetched (tests only). */
  allowPrivate: boolean;
  /** Which addresses count as public (default: addressPolicy.isPublicAddress); tests stand a local server in for a public one. */
  addressAllowed?(address: string): boolean;
  timeoutMs: number;
  htmlMaxBytes: number;
  imageMaxBytes: number;
  maxRedirects: number;
  /** Fetches one process runs at once; more wait in line (up to `queueMax`, then dropped). */
  concurrency: number;
  queueMax?: number;
  /** How long a found preview is reused (ms). */
  ttlMs: number;
  /** How long a failure is remembered, so a dead link is not fetched again and again (ms). */
  failureTtlMs: number;
  store: LinkPreviewStore;
  files: FileStore;
  thumbnailer: Thumbnailer;
  logger: Logger;
  sink: LinkPreviewSink;
}
