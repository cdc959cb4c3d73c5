export { registerMediaCache } from './registerMediaCache.js';
export type { RegisterMediaCacheOptions } from './registerMediaCache.js';
