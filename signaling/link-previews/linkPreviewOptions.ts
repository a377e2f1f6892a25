import type { Logger } from 'pino';
import type { Config } from '../config';
import type { LinkPreviewerOptions, LinkPreviewSink } from './LinkPreviewerTypes';

/** The previewer's settings from the node's configuration (LINK_PREVIEW*). */
export function linkPreviewOptions(
  config: Config,
  deps: Pick<LinkPreviewerOptions, 'store' | 'files' | 'thumbnailer' | 'logger' | 'sink'>,
): LinkPreviewerOptions {
  return {
    ...deps,
    enabled: config.linkPreviews,
    allowPrivate: config.linkPreviewAllowPrivate,
    timeoutMs: config.linkPreviewTimeoutMs,
    htmlMaxBytes: config.linkPreviewHtmlMaxBytes,
    imageMaxBytes: config.linkPreviewImageMaxBytes,
    maxRedirects: config.linkPreviewMaxRedirects,
    concurrency: config.linkPreviewConcurrency,
    ttlMs: config.linkPreviewTtl * 1000,
    failureTtlMs: config.linkPreviewFailureTtl * 1000,
  };
}

/** A sink that only logs: for a previewer whose previews have nowhere to go yet. */
export function loggingPreviewSink(logger: Logger): LinkPreviewSink {
  return async (target, preview) => {
    logger.debug({ ...target, url: preview.url }, 'link preview ready (no sink attached)');
  };
}
