/** Bytes a browser profile's storage takes on disk (allocated blocks, as `du` counts them). */
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';

async function allocatedBytes(path: string): Promise<number> {
  const stats = await lstat(path).catch(() => undefined);
  if (!stats) return 0;
  let total = stats.blocks * 512;
  if (stats.isDirectory()) {
    for (const name of await readdir(path).catch(() => [])) total += await allocatedBytes(join(path, name));
  }
  return total;
}

/**
 * Sum over every folder of the profile named `folderName` (`IndexedDB`, `CacheStorage`), whatever
 * bucket layout the Chromium version uses. Measure before and after storing one file: each kind
 * of storage holds nothing else that changes meanwhile.
 */
export async function storageFolderBytes(profileDir: string, folderName: 'IndexedDB' | 'CacheStorage'): Promise<number> {
  let total = 0;
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
      if (!entry.isDirectory()) continue;
      const path = join(dir, entry.name);
      if (entry.name === folderName) total += await allocatedBytes(path);
      else await walk(path);
    }
  };
  await walk(profileDir);
  return total;
}

/**
 * The folders' size once it stops changing (the same for a second, at most `timeoutMs`): the
 * browser may still be writing a stored body out when the API call that stored it has resolved.
 */
export async function settledStorageFolderBytes(profileDir: string, folderName: 'IndexedDB' | 'CacheStorage', timeoutMs = 30_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let last = await storageFolderBytes(profileDir, folderName);
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const now = await storageFolderBytes(profileDir, folderName);
    if (now === last || Date.now() > deadline) return now;
    last = now;
  }
}
