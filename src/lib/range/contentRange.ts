import type { ByteRange } from './types.js';

export type ParsedContentRange =
  | { kind: 'range'; start: number; end: number; sizeBytes: number | undefined }
  | { kind: 'unsatisfied'; sizeBytes: number };

// RFC 9110 §14.4, with nothing tolerated: range-unit SP (incl-range "/" (complete-length / "*")
// / "*/" complete-length). The unit is matched case-insensitively (§14.1).
const RANGE_RESP = /^bytes ([0-9]+)-([0-9]+)\/(?:([0-9]+)|\*)$/i;
const UNSATISFIED_RANGE = /^bytes \*\/([0-9]+)$/i;

function parseLength(text: string): number | undefined {
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : undefined;
}

/** `bytes first-last/size` for a 206 part (RFC 9110 §14.4). */
export function formatContentRange(range: ByteRange, sizeBytes: number): string {
  return `bytes ${range.start}-${range.end}/${sizeBytes}`;
}

/** `bytes *\/size` for a 416 (RFC 9110 §14.4, §15.5.17). */
export function formatUnsatisfiedRange(sizeBytes: number): string {
  return `bytes */${sizeBytes}`;
}

/**
 * Parses an upstream Content-Range strictly, because it decides which bytes we store: a value we
 * misread would poison the cache for every later reader, while a value we refuse only costs a
 * network fetch. Returns null for anything outside the grammar, for last-pos < first-pos, and for
 * a last-pos at or beyond a known complete-length (§14.4 calls those invalid).
 */
export function parseContentRange(value: string | null): ParsedContentRange | null {
  if (value === null) return null;
  const text = value.replace(/^[ \t]+|[ \t]+$/g, '');

  const unsatisfied = UNSATISFIED_RANGE.exec(text);
  if (unsatisfied !== null) {
    const sizeBytes = parseLength(unsatisfied[1]!);
    return sizeBytes === undefined ? null : { kind: 'unsatisfied', sizeBytes };
  }

  const match = RANGE_RESP.exec(text);
  if (match === null) return null;
  const start = parseLength(match[1]!);
  const end = parseLength(match[2]!);
  const sizeText = match[3];
  const sizeBytes = sizeText === undefined ? undefined : parseLength(sizeText);
  if (start === undefined || end === undefined || end < start) return null;
  if (sizeText !== undefined && (sizeBytes === undefined || end >= sizeBytes)) return null;
  return { kind: 'range', start, end, sizeBytes };
}
