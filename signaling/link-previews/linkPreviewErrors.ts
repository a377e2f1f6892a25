/**
 * Why a page or image was not previewed. These never reach clients (a message simply gets no
 * preview); `reason` is logged and remembered in the cache with the failure.
 */
export class LinkPreviewError extends Error {
  constructor(
    readonly reason: string,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Not an http(s) URL, or not a URL at all. */
export class UnsupportedUrlError extends LinkPreviewError {
  constructor(message: string) {
    super('unsupported_url', message);
  }
}

/** The host is, or resolves only to, an address the server must not reach (private, loopback...). */
export class BlockedAddressError extends LinkPreviewError {
  constructor(message: string) {
    super('blocked_address', message);
  }
}

export class TooManyRedirectsError extends LinkPreviewError {
  constructor(max: number) {
    super('too_many_redirects', `more than ${max} redirects`);
  }
}

export class FetchTimeoutError extends LinkPreviewError {
  constructor(ms: number) {
    super('timeout', `not complete within ${ms} ms`);
  }
}

export class ResponseTooLargeError extends LinkPreviewError {
  constructor(max: number) {
    super('too_large', `more than ${max} bytes`);
  }
}

/** The answer is not what was asked for (a PDF for a page, HTML for an image). */
export class UnsupportedContentError extends LinkPreviewError {
  constructor(message: string) {
    super('unsupported_content', message);
  }
}

export class HttpStatusError extends LinkPreviewError {
  constructor(readonly status: number) {
    super('http_status', `answered HTTP ${status}`);
  }
}

/** The page names nothing worth showing (no title, description or image). */
export class NoMetadataError extends LinkPreviewError {
  constructor() {
    super('no_metadata', 'the page has no title, description or image');
  }
}
