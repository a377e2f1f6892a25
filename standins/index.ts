/**
 * The one seam between the product and its development stand-ins: the MongoDB wire-protocol
 * development server (standins/mongo), the embedded Redis supervisor (standins/redis) and the
 * offline mediasoup worker build (standins/mediasoup). None of them is production infrastructure;
 * each stands in only when no real one is configured (MONGO_URL, REDIS_URL, MEDIASOUP_WORKER_BIN).
 * Product code imports them from here and nowhere else (checked by the import lint in `npm test`).
 */
export { ensureDevMongo } from './mongo/ensureDevMongo';
export { ensureEmbeddedRedis } from './redis/ensureEmbeddedRedis';
// The node only looks the worker up (the build and download stay with `npm start` / `npm test`).
export { isWorkingWorker } from './mediasoup/mediasoupPackage.mjs';
export { workerCacheDir } from './mediasoup/workerCache.mjs';
