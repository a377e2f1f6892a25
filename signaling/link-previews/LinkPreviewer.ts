import type { Logger } from 'pino';
import { MsgType } from '../protocol/models';
import { UrlSigner } from '../files/UrlSigner';
import { ConcurrencyLimiter } from '../util/ConcurrencyLimiter';
import { addressPolicy, type AddressAllowed } from './addressPolicy';
import { fetchBounded, parseHttpUrl } from './fetchBounded';
import { firstLink, normalizeUrl } from './firstLink';
import { LinkPreviewError, NoMetadataError } from './linkPreviewErrors';
import type { LinkPreview, LinkPreviewCard, LinkPreviewerOptions, LinkPreviewTarget, PreviewableMessage } from './LinkPreviewerTypes';
import { decodeHtml, parsePageMetadata } from './pageMetadata';
import { PreviewImages } from './previewImages';

const HTML_ACCEPT = 'text/html,application/xhtml+xml;q=0.9,*/*;q=0.1';
const IMAGE_ACCEPT = 'image/avif,image/webp,image/png,image/jpeg,image/gif;q=0.9,*/*;q=0.1';
const isHtml = (mime: string) => mime === 'text/html' || mime === 'application/xhtml+xml';
// SVG is refused here already (it is a document, not pixels); the bytes are checked again before decoding.
const isImage = (mime: string) => mime.startsWith('image/') && !mime.startsWith('image/svg');
/** The head is over: what follows is the page's body, which holds no metadata. */
const headDone = (recent: Buffer) => /<\/head\s*>|<body[\s>]/i.test(recent.toString('latin1'));
/** Previews waiting for a fetch slot at most; more are dropped (a burst of links is not a queue to the moon). */
const QUEUE_MAX = 200;

/**
 * Link previews (S24): the server, not the browser, fetches the first link of a text message with
 * strict bounds (fetchBounded.ts, addressPolicy.ts), reads its title, description, site name and
 * image (pageMetadata.ts), stores the image re-encoded as a file (previewImages.ts), and hands the
 * preview to a sink that attaches it to the message. Results and failures are cached by URL
 * (storage/LinkPreviewStore.ts); requests for one URL share one fetch; one process runs at most
 * `concurrency` fetches at once.
 */
export class LinkPreviewer {
  private readonly logger: Logger;
  private readonly images: PreviewImages;
  private readonly slots: ConcurrencyLimiter;
  private readonly waiting: (() => void)[] = [];
  private readonly inflight = new Map<string, Promise<LinkPreview | null>>();
  private readonly jobs = new Set<Promise<void>>();
  private readonly closing = new AbortController();
  private readonly addressAllowed: AddressAllowed;

  constructor(private readonly options: LinkPreviewerOptions) {
    this.logger = options.logger.child({ component: 'link-previews' });
    this.images = new PreviewImages(options.files, options.thumbnailer);
    this.slots = new ConcurrencyLimiter(options.concurrency);
    this.addressAllowed = options.allowPrivate ? addressPolicy(true) : (options.addressAllowed ?? addressPolicy(false));
  }

  get enabled(): boolean {
    return this.options.enabled && !this.closing.signal.aborted;
  }

  /** The first http(s) link of a text (see firstLink.ts), normalized, or null. */
  firstLink(text: string): string | null {
    return firstLink(text);
  }

  /**
   * The preview of a link: from the cache, or fetched now (once, however many ask at the same time).
   * Null when previews are off, the link is not previewable, or the fetch failed; never throws.
   */
  previewFor(url: string): Promise<LinkPreview | null> {
    const key = this.enabled ? normalizeUrl(url) : null;
    if (!key) return Promise.resolve(null);
    let shared = this.inflight.get(key);
    if (!shared) {
      shared = this.lookup(key).finally(() => this.inflight.delete(key));
      this.inflight.set(key, shared);
    }
    return shared;
  }

  /**
   * After a text message is stored: previews its first link in the background and hands the result
   * to the sink. Returns at once (the send's ack never waits for it) and never throws; failures
   * are logged. Call it for newly stored messages only (not for a duplicate send).
   */
  scheduleFor(message: PreviewableMessage): void {
    if (!this.enabled || message.msgtype !== MsgType.Text) return;
    const target = { sessionid: message.sessionid, msgid: message._id.toHexString() };
    const job = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.deliver(target, message.content))
      .catch((err) => this.logger.warn({ err, ...target }, 'attaching a link preview failed'))
      .finally(() => this.jobs.delete(job));
    this.jobs.add(job);
  }

  /** Settles once every scheduled job is over (tests, shutdown). */
  async settled(): Promise<void> {
    while (this.jobs.size > 0) await Promise.allSettled([...this.jobs]);
  }

  /** Shutdown: fetches under way are aborted, waiting ones dropped, no sink is called any more. */
  async close(): Promise<void> {
    this.closing.abort();
    for (const wake of this.waiting.splice(0)) wake();
    await this.settled();
  }

  private async deliver(target: LinkPreviewTarget, text: string): Promise<void> {
    const url = firstLink(text);
    if (!url) return;
    const preview = await this.previewFor(url);
    if (!preview || !this.enabled) return;
    // The image becomes readable to the members of this message's conversation.
    if (preview.imageFileId) await this.options.files.linkMessage(preview.imageFileId, target.msgid, target.sessionid);
    await this.options.sink(target, previewCard(preview));
    this.logger.debug({ ...target, url }, 'link preview attached');
  }

  private async lookup(url: string): Promise<LinkPreview | null> {
    const { store } = this.options;
    try {
      const cached = await store.get(url);
      if (cached) return cached.ok ? { url, ...cached.preview } : null;
    } catch (err) {
      // Without the cache a burst of one link would fetch it again and again: no preview instead.
      this.logger.warn({ err, url }, 'link preview cache unavailable');
      return null;
    }
    let release: () => void;
    try {
      release = await this.slot();
    } catch (err) {
      this.logger.info({ url, reason: reasonOf(err) }, 'link preview skipped');
      return null;
    }
    try {
      const { preview, degraded } = await this.fetchPreview(url);
      // A preview whose image failed for the server's own reasons is kept only briefly, then retried.
      const ttl = degraded ? this.options.failureTtlMs : this.options.ttlMs;
      await store.putPreview(url, withoutUrl(preview), ttl).catch((err) => this.logger.warn({ err, url }, 'caching a link preview failed'));
      return preview;
    } catch (err) {
      const reason = reasonOf(err);
      if (reason === null) {
        this.logger.warn({ err, url }, 'link preview failed');
      } else if (reason !== 'aborted') {
        this.logger.info({ url, reason, detail: err instanceof Error ? err.message : String(err) }, 'no link preview');
        await store.putFailure(url, reason, this.options.failureTtlMs).catch((e) => this.logger.warn({ err: e, url }, 'caching a link preview failure failed'));
      }
      return null;
    } finally {
      release();
    }
  }

  /** One fetch slot of this process; waits in line when all are taken. */
  private async slot(): Promise<() => void> {
    for (;;) {
      if (this.closing.signal.aborted) throw new LinkPreviewError('aborted', 'shutting down');
      const release = this.slots.acquire('fetch');
      if (release) {
        return () => {
          release();
          this.waiting.shift()?.();
        };
      }
      if (this.waiting.length >= (this.options.queueMax ?? QUEUE_MAX)) throw new LinkPreviewError('busy', 'too many link previews waiting');
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
  }

  private async fetchPreview(url: string): Promise<{ preview: LinkPreview; degraded: boolean }> {
    const { options } = this;
    const page = await fetchBounded(parseHttpUrl(url), {
      timeoutMs: options.timeoutMs,
      maxBytes: options.htmlMaxBytes,
      maxRedirects: options.maxRedirects,
      addressAllowed: this.addressAllowed,
      accept: HTML_ACCEPT,
      acceptType: isHtml,
      // Metadata sits at the top: a page longer than the bound is read up to it, not refused.
      overflow: 'truncate',
      enough: headDone,
      signal: this.closing.signal,
    });
    const meta = parsePageMetadata(decodeHtml(page.body, page.contentType), page.url);
    const image = meta.image ? await this.image(url, meta.image) : { degraded: false };
    const { imageFileId, degraded } = image;
    if (!meta.title && !meta.description && !imageFileId) throw new NoMetadataError();
    const preview: LinkPreview = {
      url,
      title: meta.title ?? meta.siteName ?? page.url.hostname,
      ...(meta.description ? { description: meta.description } : {}),
      ...(meta.siteName ? { siteName: meta.siteName } : {}),
      ...(imageFileId ? { imageFileId } : {}),
    };
    return { preview, degraded };
  }

  /**
   * The page's image stored as a file; none when it cannot be had (`degraded` when that was the
   * server's own trouble, not the image's).
   */
  private async image(url: string, imageUrl: string): Promise<{ imageFileId?: string; degraded: boolean }> {
    const { options } = this;
    let bytes: Buffer;
    try {
      const image = await fetchBounded(parseHttpUrl(imageUrl), {
        timeoutMs: options.timeoutMs,
        maxBytes: options.imageMaxBytes,
        maxRedirects: options.maxRedirects,
        addressAllowed: this.addressAllowed,
        accept: IMAGE_ACCEPT,
        acceptType: isImage,
        overflow: 'refuse',
        signal: this.closing.signal,
      });
      bytes = image.body;
    } catch (err) {
      const reason = reasonOf(err);
      if (reason === null || reason === 'aborted') throw err;
      this.logger.info({ url, image: imageUrl, reason }, 'link preview without its image');
      return { degraded: false };
    }
    try {
      return { imageFileId: await this.images.store(bytes), degraded: false };
    } catch (err) {
      if (err instanceof LinkPreviewError) {
        this.logger.info({ url, image: imageUrl, reason: err.reason }, 'link preview without its image');
        return { degraded: false };
      }
      this.logger.warn({ err, url, image: imageUrl }, 'storing a link preview image failed');
      return { degraded: true };
    }
  }
}

/** A preview as a message carries it: the image as its (unsigned) file path, to be signed per viewer. */
export function previewCard(preview: LinkPreview): LinkPreviewCard {
  return {
    url: preview.url,
    title: preview.title,
    ...(preview.description ? { description: preview.description } : {}),
    ...(preview.imageFileId ? { imageUrl: UrlSigner.path(preview.imageFileId, 'file'), imageFileId: preview.imageFileId } : {}),
  };
}

function withoutUrl({ url: _url, ...rest }: LinkPreview): Omit<LinkPreview, 'url'> {
  return rest;
}

/**
 * Why a fetch failed, when it is the link's fault (remembered in the cache): a preview refusal, or a
 * network failure (refused, reset, unknown host, bad certificate). Null for the server's own trouble.
 */
function reasonOf(err: unknown): string | null {
  if (err instanceof LinkPreviewError) return err.reason;
  const code = (err as { code?: unknown })?.code;
  if (typeof code === 'string') return `network:${code}`;
  if (err instanceof Error && err.name === 'AbortError') return 'aborted';
  return null;
}
