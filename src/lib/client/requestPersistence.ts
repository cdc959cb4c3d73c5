/** What `navigator.storage.persist()` answered; `unavailable` where the API is missing or failed. */
export type PersistenceResult = 'granted' | 'not granted' | 'unavailable';

/**
 * Asks the browser to keep this origin's storage under pressure (not "best effort"). Chromium
 * decides without a prompt, from engagement, installation and bookmarks: it says no in headless
 * runs and on a fresh profile, so apps must show the answer rather than assume it. An origin that
 * is already persisted is not asked again.
 */
export async function requestPersistence(storage: StorageManager | undefined = globalThis.navigator?.storage): Promise<PersistenceResult> {
  if (typeof storage?.persist !== 'function') return 'unavailable';
  try {
    if (typeof storage.persisted === 'function' && (await storage.persisted())) return 'granted';
    return (await storage.persist()) ? 'granted' : 'not granted';
  } catch {
    return 'unavailable';
  }
}
