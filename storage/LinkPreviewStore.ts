import type { Database } from './Database';
import type { LinkPreviewDoc } from './documents';

/** A found preview as cached (the URL is the key). */
export interface CachedPreview {
  title: string;
  description?: string;
  siteName?: string;
  imageFileId?: string;
}

/** A cache entry still fresh: a preview, or the reason there is none. */
export type CachedLookup = { ok: true; preview: CachedPreview } | { ok: false; reason: string };

/**
 * Link previews cached by normalized URL (`linkpreviews`, keyed by `_id`), shared by every process
 * and node: one link posted many times is fetched once per TTL. Failures are cached too (for a
 * shorter time), so a dead or refused link is not fetched on every mention. Stale entries are
 * ignored on read and removed later by the TTL index on `expiresAt`.
 */
export class LinkPreviewStore {
  constructor(private readonly db: Database) {}

  /** The fresh entry for a URL, or null (none, or stale). */
  async get(url: string, now = Date.now()): Promise<CachedLookup | null> {
    const doc = await this.db.linkPreviews.findOne({ _id: url, expiresAt: { $gt: new Date(now) } });
    if (!doc) return null;
    if (!doc.ok || !doc.title) return { ok: false, reason: doc.reason ?? 'unknown' };
    return {
      ok: true,
      preview: {
        title: doc.title,
        ...(doc.description ? { description: doc.description } : {}),
        ...(doc.siteName ? { siteName: doc.siteName } : {}),
        ...(doc.imageFileId ? { imageFileId: doc.imageFileId } : {}),
      },
    };
  }

  async putPreview(url: string, preview: CachedPreview, ttlMs: number, now = Date.now()): Promise<void> {
    await this.put({ _id: url, ok: true, ...preview, fetchedAt: now, expiresAt: new Date(now + ttlMs) });
  }

  async putFailure(url: string, reason: string, ttlMs: number, now = Date.now()): Promise<void> {
    await this.put({ _id: url, ok: false, reason, fetchedAt: now, expiresAt: new Date(now + ttlMs) });
  }

  /** Replaces the entry whole (a failure after a success leaves no stale fields behind). */
  private async put(doc: LinkPreviewDoc): Promise<void> {
    await this.db.linkPreviews.replaceOne({ _id: doc._id }, doc, { upsert: true });
  }
}
