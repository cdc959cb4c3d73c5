/** A satisfiable byte range, inclusive at both ends: `0 <= start <= end <= sizeBytes - 1`. */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * One range-spec of a `bytes` Range header (RFC 9110 §14.1.2), before it meets a representation
 * size. A position past Number.MAX_SAFE_INTEGER is Infinity: beyond every size.
 */
export type RangeSpec =
  | { kind: 'bounded'; first: number; last: number }
  | { kind: 'from'; first: number }
  | { kind: 'suffix'; length: number };

/** What to answer for a request's Range: 200 with everything, 416, or 206 with one or more parts. */
export type RangeResolution =
  | { kind: 'full' }
  | { kind: 'unsatisfiable' }
  | { kind: 'partial'; ranges: ByteRange[] };

/** The selected representation a range is taken from, with the validators If-Range compares against. */
export interface Representation {
  sizeBytes: number;
  contentType?: string;
  etag?: string;
  lastModified?: string;
}
