/*
 * CookIM's service worker: the app shell offline, and Web Push notifications (at the end).
 * Runtime caching only (no build manifest):
 * - page loads (navigations) go to the network first, and fall back to the last app shell
 *   (index.html) when the network fails, so a reload while offline still starts the app;
 * - hashed files under /assets/ never change: served from the cache once fetched;
 * - icons and the manifest: network first, the cached copy when offline;
 * - nothing else is touched: never /api/ or /socket.io/, never a request with Authorization,
 *   never anything but GET.
 * scripts/build-web.mjs stamps the build into VERSION: a new build is a new worker with a new
 * cache, and the old caches are deleted when it activates.
 */
const VERSION = '__COOKIM_BUILD__';
const CACHE = `cookim-shell-${VERSION}`;
const SHELL = '/index.html';

function isStatic(path) {
  return path === '/manifest.webmanifest' || path.startsWith('/icons/');
}

/** The shell and what it loads (its script, styles, icons), so the first offline load works. */
async function precache() {
  const cache = await caches.open(CACHE);
  const response = await fetch('/', { cache: 'no-cache' });
  if (!response.ok) return;
  await cache.put(SHELL, response.clone());
  const html = await response.text();
  const urls = [...html.matchAll(/(?:src|href)="(\/[^"]+)"/g)]
    .map((match) => match[1])
    .filter((url) => url.startsWith('/assets/') || isStatic(url));
  await cacheMissing([...new Set(urls)]);
}

/** Fetches into the cache the same-origin assets it does not hold yet (failures are skipped). */
async function cacheMissing(urls) {
  const cache = await caches.open(CACHE);
  await Promise.all(
    urls.map(async (url) => {
      if (await cache.match(url)) return;
      try {
        const response = await fetch(url);
        if (response.ok && response.status === 200) await cache.put(url, response);
      } catch {
        /* offline: cached when next fetched */
      }
    }),
  );
}

self.addEventListener('install', (event) => {
  // a failed precache must not block the worker: runtime caching fills in
  event.waitUntil(precache().catch(() => undefined));
  // assets are hashed and the shell is network-first: the new worker may take over at once
  self.skipWaiting();
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      const names = await caches.keys();
      await Promise.all(names.filter((name) => name.startsWith('cookim-shell-') && name !== CACHE).map((name) => caches.delete(name)));
      await self.clients.claim();
    })(),
  );
});

/** The page lists what it loaded before this worker controlled it (main.ts). */
self.addEventListener('message', (event) => {
  const data = event.data;
  if (!data || data.type !== 'cache' || !Array.isArray(data.urls)) return;
  const urls = data.urls
    .map((url) => {
      try {
        return new URL(url, self.location.origin);
      } catch {
        return null;
      }
    })
    .filter((url) => url && url.origin === self.location.origin && (url.pathname.startsWith('/assets/') || isStatic(url.pathname)))
    .map((url) => url.pathname);
  event.waitUntil(cacheMissing([...new Set(urls)]));
});

async function navigation(request) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    const type = response.headers.get('Content-Type') ?? '';
    // every app route answers the same index.html: keep the newest as the shell
    if (response.ok && type.startsWith('text/html')) await cache.put(SHELL, response.clone());
    return response;
  } catch (error) {
    const shell = await cache.match(SHELL);
    if (shell) return shell;
    throw error;
  }
}

async function cacheFirst(request) {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(request);
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok && response.status === 200) await cache.put(request, response.clone());
  return response;
}

async function networkFirst(request) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    if (response.ok && response.status === 200) await cache.put(request, response.clone());
    return response;
  } catch (error) {
    const cached = await cache.match(request);
    if (cached) return cached;
    throw error;
  }
}

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET' || request.headers.has('Authorization')) return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  const path = url.pathname;
  if (path.startsWith('/api/') || path.startsWith('/socket.io/')) return;
  if (request.mode === 'navigate') event.respondWith(navigation(request));
  else if (path.startsWith('/assets/')) event.respondWith(cacheFirst(request));
  else if (isStatic(path)) event.respondWith(networkFirst(request));
});

// ---- Web Push (issue 13): the server pushes { type, sessionid, msgid?, title, body, url } when
// the user has no open tab; a click focuses a CookIM tab (taking it to the conversation) or opens one.

/** Only paths of this app: a payload never sends the user elsewhere. */
function appUrl(url) {
  try {
    const parsed = new URL(url || '/', self.location.origin);
    return parsed.origin === self.location.origin ? parsed.href : self.location.origin + '/';
  } catch {
    return self.location.origin + '/';
  }
}

self.addEventListener('push', (event) => {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch {
    data = { body: event.data ? event.data.text() : '' };
  }
  const title = typeof data.title === 'string' && data.title ? data.title : 'CookIM';
  const call = data.type === 'call';
  const options = {
    body: typeof data.body === 'string' ? data.body : '',
    // one notification per conversation (a newer message replaces it), one per call
    tag: call ? `call-${data.sessionid}` : `session-${data.sessionid ?? ''}`,
    renotify: true,
    requireInteraction: call,
    icon: '/icons/icon-192.png',
    badge: '/icons/icon-192.png',
    data: { url: appUrl(data.url || (data.sessionid ? `/c/${data.sessionid}` : '/')) },
  };
  event.waitUntil(self.registration.showNotification(title, options));
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const url = (event.notification.data && event.notification.data.url) || self.location.origin + '/';
  event.waitUntil(
    (async () => {
      const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
      const open = windows.find((client) => new URL(client.url).origin === self.location.origin);
      if (open) {
        // the page's router goes there (AttentionHost.vue): no reload of a running app
        const target = new URL(url);
        open.postMessage({ type: 'open', url: target.pathname + target.search });
        await open.focus();
        return;
      }
      await self.clients.openWindow(url);
    })(),
  );
});
