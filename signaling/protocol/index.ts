export * from './errors';
export * from './models';
export * from './schemas';
export type * from './events';
export * from './calls';
export * from './live';
export * from './duration';
export * from './search';
export * from './people';
