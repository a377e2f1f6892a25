import type { Logger } from 'pino';
import webpush, { type Urgency } from 'web-push';
import type { PushSubscriptionDoc } from '../../storage/documents';
import type { PushPayload } from '../protocol/attention';
import type { VapidKeys } from './VapidKeys';

export interface PushSenderOptions {
  vapid: VapidKeys;
  logger: Logger;
  /** Seconds a push service keeps an undelivered push. */
  ttlSeconds: number;
  /** Pushes in flight at once; the rest wait their turn. */
  concurrency: number;
  /** The push service said the subscription is gone (404/410): forget it. */
  onGone(endpoint: string): Promise<void>;
  /** One push request gives up after this long (ms). */
  timeoutMs?: number;
  /** Pushes waiting at most; beyond, new ones are dropped (and logged). */
  maxQueued?: number;
}

/**
 * Sends Web Push messages (RFC 8030) with the `web-push` library doing the work: the payload is
 * encrypted for the subscription (RFC 8291, `aes128gcm`) and signed with VAPID (RFC 8292). The
 * request itself goes out through fetch, so an http endpoint works too where it is allowed (tests).
 * Bounded: at most `concurrency` requests in flight. Failures are logged, never thrown.
 */
export class PushSender {
  private active = 0;
  private readonly queue: (() => Promise<void>)[] = [];

  constructor(private readonly options: PushSenderOptions) {}

  send(sub: PushSubscriptionDoc, payload: PushPayload, urgency: Urgency = 'normal'): void {
    if (this.queue.length >= (this.options.maxQueued ?? 10_000)) {
      this.options.logger.warn({ uid: sub.uid }, 'push queue full; dropping a push');
      return;
    }
    this.queue.push(() => this.deliver(sub, payload, urgency));
    this.pump();
  }

  private pump(): void {
    while (this.active < this.options.concurrency && this.queue.length > 0) {
      const job = this.queue.shift()!;
      this.active += 1;
      void job().finally(() => {
        this.active -= 1;
        this.pump();
      });
    }
  }

  private async deliver(sub: PushSubscriptionDoc, payload: PushPayload, urgency: Urgency): Promise<void> {
    const { logger } = this.options;
    try {
      const request = webpush.generateRequestDetails({ endpoint: sub.endpoint, keys: sub.keys }, JSON.stringify(payload), {
        vapidDetails: this.options.vapid.details(),
        TTL: this.options.ttlSeconds,
        contentEncoding: 'aes128gcm',
        urgency,
      });
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(request.headers)) headers[name] = String(value);
      // fetch sets the length itself.
      delete headers['Content-Length'];
      const res = await fetch(request.endpoint, {
        method: request.method,
        headers,
        body: request.body ? new Uint8Array(request.body) : null,
        redirect: 'error',
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
      });
      await res.body?.cancel().catch(() => undefined);
      if (res.status === 404 || res.status === 410) {
        logger.info({ uid: sub.uid, status: res.status }, 'push subscription expired; removing it');
        await this.options.onGone(sub.endpoint);
      } else if (!res.ok) {
        logger.warn({ uid: sub.uid, status: res.status }, 'push service refused a push');
      }
    } catch (err) {
      logger.warn({ err, uid: sub.uid }, 'sending a push failed');
    }
  }
}
