import { readUpstreamHead } from '../cache/upstreamHead.js';
import type { RangeCache } from '../cache/RangeCache.js';
import type { FileRecord } from '../store/schema.js';
import { segmentEnd, segmentStart } from '../store/segmentLayout.js';
import { sameVersion } from '../store/validators.js';
import { hasSegment } from '../store/segmentBitmap.js';

export type StoredRange = { storedSegments: number } | { storedSegments: 0; rejected: string };

/**
 * Stores the whole segments of a response fetched outside the worker's own fetches (a background
 * fetch's record) for bytes from `requestedStart` of `file`. The response is used only when it is
 * the same version of the file (size and validator), its Content-Range starts where asked (or it is
 * a 200 with the whole file), and its body has the length its head announces; else nothing of it is
 * stored. Segments are Blob slices of the body: nothing is copied.
 */
export async function storeFetchedRange(
  cache: Pick<RangeCache, 'storeSegment'>,
  file: FileRecord,
  request: { url: string; start: number },
  response: Response,
): Promise<StoredRange> {
  const requestedStart = request.start;
  const head = readUpstreamHead(response, { url: request.url, start: requestedStart, storedContentType: file.contentType });
  if (head.kind !== 'body') return { storedSegments: 0, rejected: head.kind === 'unusable' ? head.reason : 'unsatisfiable' };
  if (!head.storable || !head.validator) return { storedSegments: 0, rejected: 'not-storable' };
  if (!sameVersion(head.validator, head.sizeBytes, file.validator, file.sizeBytes)) return { storedSegments: 0, rejected: 'version-changed' };
  const body = await response.blob();
  if (body.size !== head.endOffset - head.startOffset) return { storedSegments: 0, rejected: 'length-mismatch' };
  const first = Math.ceil(head.startOffset / file.segmentSizeBytes);
  let count = 0;
  for (let index = first; segmentStart(index, file) < head.endOffset; index += 1) {
    const end = segmentEnd(index, file);
    if (end > head.endOffset) break;
    if (hasSegment(file.segmentBitmap, index)) continue;
    const from = segmentStart(index, file) - head.startOffset;
    const fileHead = { sizeBytes: file.sizeBytes, validator: file.validator, contentType: file.contentType };
    if (await cache.storeSegment(file.url, index, body.slice(from, end - head.startOffset), fileHead)) count += 1;
  }
  return { storedSegments: count };
}
