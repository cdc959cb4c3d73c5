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
  const indices = Array.from({ length: segmentCount(file) }, (_, index) => index);
  const blobs = await cache.store.getSegments(url, indices, file);
  const missing = indices.filter((index) => !blobs.has(index));
  if (missing.length > 0) throw new MediaCacheError('integrity-failed', { url, missingSegments: missing.slice(0, 16) });
  if (expectedSha256 === undefined) return;
  const hash = sha256.create();
  for (const index of indices) hash.update(new Uint8Array(await blobs.get(index)!.arrayBuffer()));
  const actual = bytesToHex(hash.digest());
  if (actual !== expectedSha256.toLowerCase()) {
    throw new MediaCacheError('integrity-failed', { url, expectedSha256, actualSha256: actual });
  }
}
