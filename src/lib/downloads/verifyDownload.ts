import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import type { RangeCache } from '../cache/RangeCache.js';
import { MediaCacheError } from '../errors/MediaCacheError.js';
import { segmentCount } from '../store/segmentLayout.js';

/**
 * Checks a downloaded file before it is called complete: every segment present, intact and of its
 * expected length, under the file's current version; and, when the app gave one, the SHA-256 of
 * the whole file, hashed segment by segment (WebCrypto has no incremental digest, and reading the
 * whole file at once would make memory grow with its size).
 */
export async function verifyDownload(cache: RangeCache, url: string, expectedSha256?: string): Promise<void> {
  const file = await cache.store.getFile(url);
  if (!file) throw new MediaCacheError('integrity-failed', { url, reason: 'no stored file' });
  const count = segmentCount(file);
  const missing: number[] = [];
  const hash = expectedSha256 === undefined ? undefined : sha256.create();
  // A few segments at a time: where segments are kept as ArrayBuffers (segmentValues.ts), each one
  // read is in memory until it is dropped.
  for (let first = 0; first < count; first += SEGMENTS_PER_READ) {
    const indices = Array.from({ length: Math.min(SEGMENTS_PER_READ, count - first) }, (_, at) => first + at);
    const blobs = await cache.store.getSegments(url, indices, file);
    for (const index of indices) {
      const blob = blobs.get(index);
      if (!blob) missing.push(index);
      else if (hash && missing.length === 0) hash.update(new Uint8Array(await blob.arrayBuffer()));
    }
  }
  if (missing.length > 0) throw new MediaCacheError('integrity-failed', { url, missingSegments: missing.slice(0, 16) });
  if (!hash || expectedSha256 === undefined) return;
  const actual = bytesToHex(hash.digest());
  if (actual !== expectedSha256.toLowerCase()) {
    throw new MediaCacheError('integrity-failed', { url, expectedSha256, actualSha256: actual });
  }
}

/** Segments read per store request while checking: 4 MiB of 512 KiB segments. */
const SEGMENTS_PER_READ = 8;
