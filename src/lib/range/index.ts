export type { ByteRange, RangeResolution, RangeSpec, Representation } from './types.js';
export { parseRangeHeader, type ParsedRange } from './parseRangeHeader.js';
export { resolveRanges } from './resolveRanges.js';
export { ifRangeMatches } from './ifRange.js';
export { evaluateRangeRequest } from './evaluateRangeRequest.js';
export {
  formatContentRange,
  formatUnsatisfiedRange,
  parseContentRange,
  type ParsedContentRange,
} from './contentRange.js';
export { createRangeResponse, type SliceableSource } from './createRangeResponse.js';
export { createStreamedRangeResponse } from './createStreamedRangeResponse.js';
