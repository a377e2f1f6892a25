/**
 * System notifications (the Notification API). The permission is only ever asked for from a user's
 * gesture (the prompt after a first sent message, or the profile's button), never on load. A page
 * notification where the browser allows it, else one through the service worker (Android Chrome
 * has no `new Notification`).
 */
export type NotificationPermissionState = NotificationPermission | 'unsupported';

export interface AlertNotification {
  title: string;
  body: string;
  /** One notification per conversation (or call): a newer one replaces it. */
  tag: string;
  /** Where a click leads (an app path). */
  url: string;
  /** Calls: stays until dealt with. */
  sticky?: boolean;
}

/** Page notifications still showing, by tag (the service worker keeps its own list). */
const shownInPage = new Map<string, Notification>();

export const notifications = {
  permission(): NotificationPermissionState {
    return typeof Notification === 'undefined' ? 'unsupported' : Notification.permission;
  },

  async request(): Promise<NotificationPermissionState> {
    if (typeof Notification === 'undefined') return 'unsupported';
    try {
      return await Notification.requestPermission();
    } catch {
      return Notification.permission;
    }
  },

  /** Shows it when allowed; `onClick` runs in the page (the notification's own click). */
  async show(alert: AlertNotification, onClick: (url: string) => void): Promise<void> {
    if (notifications.permission() !== 'granted') return;
    const options: NotificationOptions = { body: alert.body, tag: alert.tag, icon: '/icons/icon-192.png', requireInteraction: alert.sticky, data: { url: alert.url } };
    try {
      const shown = new Notification(alert.title, options);
      shownInPage.set(alert.tag, shown);
      shown.onclose = () => {
        if (shownInPage.get(alert.tag) === shown) shownInPage.delete(alert.tag);
      };
      shown.onclick = () => {
        window.focus();
        onClick(alert.url);
        shown.close();
      };
      return;
    } catch {
      /* no page notifications here: the service worker shows it */
    }
    const registration = await navigator.serviceWorker?.getRegistration().catch(() => undefined);
    await registration?.showNotification(alert.title, options).catch(() => undefined);
  },

  /** Closes the notifications of a tag (a call answered, a conversation read). */
  async close(tag: string): Promise<void> {
    shownInPage.get(tag)?.close();
    shownInPage.delete(tag);
    const registration = await navigator.serviceWorker?.getRegistration().catch(() => undefined);
    const shown = await registration?.getNotifications({ tag }).catch(() => []);
    for (const n of shown ?? []) n.close();
  },
};
