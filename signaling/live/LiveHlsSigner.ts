import type { SignatureCheck, UrlSigner } from '../files/UrlSigner';

/**
 * Short-lived signed HLS folders of live streams: `<exp>.<sig>` as one path segment
 * (`/api/live/<id>/hls/<exp>.<sig>/...`), so the relative playlist and segment URLs inside carry
 * the proof. A viewer's access must end soon after they may no longer watch (they left the
 * conversation), so a folder lives LIVE_HLS_URL_TTL (minutes, not the day of file URLs) and the
 * viewer page renews it while it plays through GET /api/live/:id, which checks membership again.
 *
 * Signed with the file signer's key (same HMAC, every node agrees) over a subject of its own
 * (`live-hls:<id>`), so no file URL or older, longer-lived stream link verifies here. Expiries are
 * rounded up to a tenth of the lifetime, so viewers in the same bucket share URLs (CDN and player
 * caches keep working).
 */
export class LiveHlsSigner {
  private readonly bucket: number;

  constructor(
    private readonly signer: UrlSigner,
    /** Lifetime of a folder, seconds (at least; up to one bucket more). */
    readonly ttlSeconds: number,
    /** Whether streams get a low-latency playlist (ll.m3u8) in their folder too (LIVE_LLHLS). */
    readonly llHls = false,
  ) {
    this.bucket = Math.max(1, Math.floor(ttlSeconds / 10));
  }

  /** The signed folder path of a stream, and how many seconds it stays valid. */
  folder(streamid: string, nowMs = Date.now()): { path: string; expiresIn: number } {
    const exp = Math.ceil((nowMs / 1000 + this.ttlSeconds) / this.bucket) * this.bucket;
    const token = `${exp}.${this.signer.sign(subject(streamid), 'folder', exp)}`;
    return { path: `/api/live/${encodeURIComponent(streamid)}/hls/${token}`, expiresIn: Math.floor(exp - nowMs / 1000) };
  }

  /** Whether a folder token is valid for the stream now, and for how many more seconds. */
  verify(streamid: string, token: string, nowMs = Date.now()): { check: SignatureCheck; expiresIn: number } {
    const dot = token.indexOf('.');
    if (dot < 0) return { check: 'invalid', expiresIn: 0 };
    const exp = token.slice(0, dot);
    const check = this.signer.verify(subject(streamid), 'folder', exp, token.slice(dot + 1), nowMs);
    const expiresIn = Math.floor(Number(exp) - nowMs / 1000);
    // Signed by this server, yet further out than this lifetime allows (the setting was lowered): not honoured.
    if (check === 'ok' && expiresIn > this.ttlSeconds + this.bucket) return { check: 'invalid', expiresIn: 0 };
    return { check, expiresIn: check === 'ok' ? expiresIn : 0 };
  }
}

const subject = (streamid: string): string => `live-hls:${streamid}`;
