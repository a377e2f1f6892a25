// Public entry points of the MongoDB wire-protocol development server.
export { DevMongoServer } from './DevMongoServer';
export { ensureDevMongo } from './ensureDevMongo';
export { pingDevMongo } from './pingDevMongo';
export { DataDirLockedError } from './DataDirLockedError';
export type {
  DevMongoLogger,
  DevMongoServerOptions,
  DevMongoServerInfo,
  EnsureDevMongoOptions,
  EnsureDevMongoResult,
} from './DevMongoServerTypes';
