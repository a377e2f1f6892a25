/**
 * Registers the service worker (web/public/sw.js) that keeps the app shell for offline reloads.
 * Built app only: the Vite dev server serves modules, not the hashed assets the worker caches.
 */
export function registerServiceWorker(): void {
  if (!import.meta.env.PROD || !('serviceWorker' in navigator)) return;
  window.addEventListener('load', () => {
    navigator.serviceWorker
      .register('/sw.js')
      .then(() => navigator.serviceWorker.ready)
      .then((registration) => {
        // what this page loaded before the worker controlled it (its script, styles, route chunks)
        const urls = performance.getEntriesByType('resource').map((entry) => entry.name);
        registration.active?.postMessage({ type: 'cache', urls });
      })
      .catch(() => undefined);
  });
}
