// The page side and the browser-neutral parts of the library. The service-worker side is
// `./sw/index.ts` (it needs worker globals, so it is a separate entry).
export { registerMediaCache, type RegisterMediaCacheOptions } from './client/index.js';
export { defaultConfig, type MediaCacheConfig } from './config.js';
export { MediaCacheError, isMediaCacheError, type MediaCacheErrorCode } from './errors/MediaCacheError.js';
export {
  createRangeResponse,
  createStreamedRangeResponse,
  evaluateRangeRequest,
  parseRangeHeader,
  resolveRanges,
  type ByteRange,
  type RangeResolution,
  type Representation,
} from './range/index.js';
