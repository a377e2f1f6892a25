/**
 * Web Push for closed tabs: once notifications are allowed, the browser's push subscription (with
 * the server's VAPID key) is registered with the server; signing out removes it. Browsers without
 * a push service (or a development build without the service worker) simply have none.
 */
import type { PushKeyAnswer, PushSubscriptionBody } from '@protocol';
import { api } from './api';

function keyBytes(base64url: string): Uint8Array<ArrayBuffer> {
  const base64 = base64url.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(base64url.length / 4) * 4, '=');
  const raw = atob(base64);
  const bytes = new Uint8Array(new ArrayBuffer(raw.length));
  for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
  return bytes;
}

async function registration(): Promise<ServiceWorkerRegistration | undefined> {
  if (!('serviceWorker' in navigator) || !('PushManager' in window)) return undefined;
  return (await navigator.serviceWorker.getRegistration()) ?? undefined;
}

function bodyOf(subscription: PushSubscription): PushSubscriptionBody | undefined {
  const json = subscription.toJSON();
  const p256dh = json.keys?.p256dh;
  const auth = json.keys?.auth;
  return json.endpoint && p256dh && auth ? { endpoint: json.endpoint, keys: { p256dh, auth } } : undefined;
}

export const pushSubscription = {
  /** Subscribes (or reuses the subscription) and tells the server; false when this browser cannot. */
  async register(): Promise<boolean> {
    try {
      const reg = await registration();
      if (!reg || Notification.permission !== 'granted') return false;
      let subscription = await reg.pushManager.getSubscription();
      if (!subscription) {
        const { publicKey } = await api<PushKeyAnswer>('/push/key');
        subscription = await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(publicKey) });
      }
      const body = bodyOf(subscription);
      if (!body) return false;
      await api<void>('/push/subscriptions', { body });
      return true;
    } catch {
      // no push service (headless, private windows) or a refusal: notifications still work in open tabs
      return false;
    }
  },

  /** Signing out: the server forgets this device, and the browser drops the subscription. */
  async unregister(): Promise<void> {
    try {
      const subscription = await (await registration())?.pushManager.getSubscription();
      if (!subscription) return;
      await api<void>('/push/subscriptions', { method: 'DELETE', body: { endpoint: subscription.endpoint } }).catch(() => undefined);
      await subscription.unsubscribe();
    } catch {
      /* nothing to remove */
    }
  },
};
