import { createHmac, timingSafeEqual } from 'node:crypto';

/** What a signed URL names: the bytes, the image thumbnail, or the avatar cut. */
export type UrlVariant = 'file' | 'thumb' | 'avatar';

export type SignatureCheck = 'ok' | 'expired' | 'invalid';

const variantPath: Record<UrlVariant, string> = { file: '', thumb: '/thumb', avatar: '/avatar' };

/**
 * Signed, expiring file URLs: `<img>`, `<audio>` and `<video>` cannot send an Authorization header,
 * so the server hands users who may see a file a URL that carries its own proof:
 * `/api/files/<fileid>[/thumb|/avatar]?exp=<unix seconds>&sig=<base64url HMAC-SHA256>` over
 * `fileid.variant.exp`, keyed by a key derived from the server's JWT secret (so the JWT key itself
 * never signs anything else, and every node of a deployment agrees).
 *
 * Expiries are rounded up to a bucket (an hour, or a tenth of the lifetime when that is shorter), so
 * the same file gets the same URL for a while and browsers can cache it (content never changes).
 */
export class UrlSigner {
  private readonly key: Buffer;
  private readonly bucket: number;

  constructor(
    jwtSecret: string,
    /** Lifetime of a URL, seconds (at least; up to one bucket more). */
    readonly ttlSeconds: number,
  ) {
    this.key = createHmac('sha256', jwtSecret).update('cookim:file-url:v1').digest();
    this.bucket = Math.max(1, Math.min(3600, Math.floor(ttlSeconds / 10)));
  }

  /** The signed path of a file variant (relative to the server's origin). */
  url(fileid: string, variant: UrlVariant, nowMs = Date.now()): string {
    const exp = this.expiry(nowMs);
    return `${UrlSigner.path(fileid, variant)}?exp=${exp}&sig=${this.sign(fileid, variant, exp)}`;
  }

  /** The unsigned path: answers only to a Bearer token of a user allowed to see the file. */
  static path(fileid: string, variant: UrlVariant): string {
    return `/api/files/${fileid}${variantPath[variant]}`;
  }

  private expiry(nowMs: number): number {
    return Math.ceil((nowMs / 1000 + this.ttlSeconds) / this.bucket) * this.bucket;
  }

  sign(fileid: string, variant: UrlVariant | 'folder', exp: number): string {
    return createHmac('sha256', this.key).update(`${fileid}.${variant}.${exp}`).digest('base64url');
  }

  verify(fileid: string, variant: UrlVariant | 'folder', exp: unknown, sig: unknown, nowMs = Date.now()): SignatureCheck {
    if (typeof exp !== 'string' || typeof sig !== 'string' || !/^\d{1,12}$/.test(exp)) return 'invalid';
    const expected = Buffer.from(this.sign(fileid, variant, Number(exp)));
    const given = Buffer.from(sig);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'invalid';
    return Number(exp) * 1000 < nowMs ? 'expired' : 'ok';
  }
}
