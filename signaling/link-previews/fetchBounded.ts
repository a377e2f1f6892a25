import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { pipeline, type Readable } from 'node:stream';
import zlib from 'node:zlib';
import { checkAddressLiteral, checkedLookup } from './addressPolicy';
import {
  BlockedAddressError,
  FetchTimeoutError,
  HttpStatusError,
  LinkPreviewError,
  ResponseTooLargeError,
  TooManyRedirectsError,
  UnsupportedContentError,
  UnsupportedUrlError,
} from './linkPreviewErrors';
import type { FetchBounds } from './LinkPreviewerTypes';

/** Browser-like, so sites answer with the page a person would see, but saying honestly who fetches. */
export const PREVIEW_USER_AGENT = 'Mozilla/5.0 (compatible; CookIM-LinkPreview/1.0; link previews for a CookIM chat)';

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
/** Bytes of the previous chunk `enough` sees again (longer than any marker it looks for). */
const ENOUGH_OVERLAP = 32;

export interface BoundedFetchOptions extends FetchBounds {
  /** The Accept header. */
  accept: string;
  /** Whether the answer's media type (lower-case, no parameters) is what was asked for. */
  acceptType(mime: string): boolean;
  /** What to do when the body is longer than `maxBytes`: keep the first part, or refuse it. */
  overflow: 'truncate' | 'refuse';
  /**
   * Stop reading once this says so (e.g. the page's head is complete). Sees the latest bytes read,
   * with the last few before them, so a marker split between two chunks is still seen.
   */
  enough?(recent: Buffer): boolean;
  /** Aborts the fetch from outside (the node shutting down). */
  signal?: AbortSignal;
}

export interface BoundedResponse {
  /** Where the last redirect led. */
  url: URL;
  /** The Content-Type header as sent. */
  contentType: string;
  body: Buffer;
  /** Whether reading stopped before the end of the body (enough, or the byte bound). */
  partial: boolean;
}

/**
 * One GET with every bound a server-side fetch of an address a user typed needs: one deadline for
 * everything (redirects included), a byte bound after decompression, a redirect limit with each hop
 * checked again, http/https only, and connections only to addresses the policy allows (checked on the
 * address actually connected to, see addressPolicy.ts).
 */
export async function fetchBounded(start: URL, options: BoundedFetchOptions): Promise<BoundedResponse> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new FetchTimeoutError(options.timeoutMs)), options.timeoutMs);
  const stop = () => controller.abort(new LinkPreviewError('aborted', 'the fetch was cancelled'));
  options.signal?.addEventListener('abort', stop, { once: true });
  if (options.signal?.aborted) stop();
  try {
    let url = start;
    for (let redirects = 0; ; redirects++) {
      const response = await open(url, options, controller.signal);
      const status = response.statusCode ?? 0;
      if (REDIRECTS.has(status)) {
        response.destroy();
        const location = response.headers.location;
        if (!location) throw new HttpStatusError(status);
        if (redirects >= options.maxRedirects) throw new TooManyRedirectsError(options.maxRedirects);
        url = parseHttpUrl(location, url);
        continue;
      }
      if (status < 200 || status > 299) {
        response.destroy();
        throw new HttpStatusError(status);
      }
      const contentType = response.headers['content-type'] ?? '';
      const mime = contentType.split(';')[0].trim().toLowerCase();
      if (!options.acceptType(mime)) {
        response.destroy();
        throw new UnsupportedContentError(`the answer is ${mime || 'of no stated type'}`);
      }
      const declared = Number(response.headers['content-length']);
      if (options.overflow === 'refuse' && Number.isFinite(declared) && declared > options.maxBytes) {
        response.destroy();
        throw new ResponseTooLargeError(options.maxBytes);
      }
      const { body, partial } = await readBody(response, options);
      return { url, contentType, body, partial };
    }
  } catch (err) {
    // An abort surfaces as the socket's AbortError; the reason (timeout, shutdown) is the real story.
    if (controller.signal.aborted && controller.signal.reason instanceof LinkPreviewError) throw controller.signal.reason;
    throw err;
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', stop);
  }
}

/** An http(s) URL, resolved against `base` (a redirect's Location may be relative). */
export function parseHttpUrl(text: string, base?: URL): URL {
  let url: URL;
  try {
    url = new URL(text, base);
  } catch {
    throw new UnsupportedUrlError('not a valid URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UnsupportedUrlError(`${url.protocol} URLs are not fetched`);
  if (url.username || url.password) throw new UnsupportedUrlError('URLs with credentials are not fetched');
  return url;
}

function open(url: URL, options: BoundedFetchOptions, signal: AbortSignal): Promise<IncomingMessage> {
  checkAddressLiteral(url, options.addressAllowed);
  const transport = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const request = transport.request(
      url,
      {
        method: 'GET',
        // A fresh connection per request: a pooled socket would skip the address check of its lookup.
        agent: false,
        lookup: checkedLookup(options.addressAllowed),
        signal,
        headers: {
          'User-Agent': PREVIEW_USER_AGENT,
          Accept: options.accept,
          'Accept-Encoding': 'gzip, deflate, br',
          'Accept-Language': 'en;q=0.9, *;q=0.5',
        },
      },
      resolve,
    );
    request.on('error', reject);
    // The check again on the socket itself: whatever path led there, this is the address connected to.
    request.on('socket', (socket) => {
      socket.once('connect', () => {
        const remote = socket.remoteAddress;
        if (remote && !options.addressAllowed(remote)) {
          request.destroy(new BlockedAddressError(`${url.hostname} connected to ${remote}, not a public address`));
        }
      });
    });
    request.end();
  });
}

/** The body, decompressed, bounded and cut short once `enough`. */
async function readBody(response: IncomingMessage, options: BoundedFetchOptions): Promise<{ body: Buffer; partial: boolean }> {
  const stream = decoded(response);
  const chunks: Buffer[] = [];
  let size = 0;
  let partial = false;
  let tail = Buffer.alloc(0);
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      if (size + chunk.length > options.maxBytes) {
        if (options.overflow === 'refuse') throw new ResponseTooLargeError(options.maxBytes);
        chunks.push(chunk.subarray(0, options.maxBytes - size));
        size = options.maxBytes;
        partial = true;
        break;
      }
      chunks.push(chunk);
      size += chunk.length;
      if (options.enough) {
        const recent = Buffer.concat([tail, chunk]);
        if (options.enough(recent)) {
          partial = true;
          break;
        }
        tail = recent.subarray(Math.max(0, recent.length - ENOUGH_OVERLAP));
      }
    }
  } finally {
    // Whatever is left unread is not wanted: close the connection rather than drain it.
    if (stream !== response) stream.destroy();
    response.destroy();
  }
  return { body: Buffer.concat(chunks, size), partial };
}

function decoded(response: IncomingMessage): Readable {
  const encoding = (response.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  const decompressor = decompressorFor(encoding);
  if (decompressor === null) return response;
  if (decompressor === undefined) {
    response.destroy();
    throw new UnsupportedContentError(`content encoding ${encoding} is not supported`);
  }
  // pipeline, not pipe: a connection that dies (or is aborted) mid-body must end the reader too.
  pipeline(response, decompressor, () => undefined);
  return decompressor;
}

/** null: no decompression; undefined: an encoding not supported. */
function decompressorFor(encoding: string): zlib.Gunzip | zlib.Inflate | zlib.BrotliDecompress | null | undefined {
  switch (encoding) {
    case '':
    case 'identity':
      return null;
    case 'gzip':
    case 'x-gzip':
      return zlib.createGunzip();
    case 'deflate':
      return zlib.createInflate();
    case 'br':
      return zlib.createBrotliDecompress();
    default:
      return undefined;
  }
}
