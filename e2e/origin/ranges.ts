/**
 * RFC 9110 §14 Range parsing for the test origin and for the specs' expectations.
 *
 * Policy (RFC 9110 §14.2 lets a server ignore or reject an invalid Range; the product ignores it):
 * - no Range, another unit, or a syntactically invalid ranges-specifier (incl. last < first in any
 *   range-spec) → ignore: 200 with the full representation;
 * - no satisfiable range-spec → 416 with `Content-Range: bytes *\/size`;
 * - otherwise the satisfiable ranges, clamped to the representation, in request order.
 */

/** An inclusive byte range, as in `Content-Range: bytes start-end/size`. */
export interface ByteRange {
  start: number;
  end: number;
}

export type RangeRequest =
  | { kind: 'full' }
  | { kind: 'unsatisfiable' }
  | { kind: 'ranges'; ranges: ByteRange[] };

const RANGE_SPEC = /^(?:(\d+)-(\d*)|-(\d+))$/;

export function parseRangeRequest(header: string | null | undefined, sizeBytes: number): RangeRequest {
  if (header == null) return { kind: 'full' };
  const match = /^\s*bytes\s*=(.*)$/i.exec(header);
  if (!match) return { kind: 'full' };
  // RFC 9110 §5.6.1: empty list elements are allowed and ignored.
  const specs = match[1]!.split(',').map((spec) => spec.trim()).filter((spec) => spec !== '');
  if (specs.length === 0) return { kind: 'full' };
  const ranges: ByteRange[] = [];
  for (const spec of specs) {
    const parts = RANGE_SPEC.exec(spec);
    if (!parts) return { kind: 'full' };
    if (parts[3] !== undefined) {
      const suffixLength = Number(parts[3]);
      if (suffixLength > 0 && sizeBytes > 0) {
        ranges.push({ start: Math.max(0, sizeBytes - suffixLength), end: sizeBytes - 1 });
      }
      continue;
    }
    const first = Number(parts[1]);
    const last = parts[2] === '' ? Infinity : Number(parts[2]);
    if (last < first) return { kind: 'full' };
    if (first < sizeBytes) ranges.push({ start: first, end: Math.min(last, sizeBytes - 1) });
  }
  return ranges.length === 0 ? { kind: 'unsatisfiable' } : { kind: 'ranges', ranges };
}

/** Whether `ranges` overlap or touch, so a server may coalesce them (RFC 9110 §14.2). */
export function rangesCoalesce(ranges: ByteRange[]): ByteRange | undefined {
  const sorted = [...ranges].sort((a, b) => a.start - b.start);
  let current = { ...sorted[0]! };
  for (const range of sorted.slice(1)) {
    if (range.start > current.end + 1) return undefined;
    current.end = Math.max(current.end, range.end);
  }
  return current;
}

/** Whether any two of `ranges` overlap (not merely touch). */
export function rangesOverlap(ranges: ByteRange[]): boolean {
  const sorted = [...ranges].sort((a, b) => a.start - b.start);
  return sorted.some((range, i) => i > 0 && range.start <= sorted[i - 1]!.end);
}
