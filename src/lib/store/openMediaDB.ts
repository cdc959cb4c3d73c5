import { openDB, type IDBPDatabase } from 'idb';
import { MEDIA_DB_NAME, MEDIA_DB_VERSION, type MediaCacheDB } from './schema.js';

/**
 * Opens the database, creating or upgrading it. Every version has an upgrade step so a service
 * worker update keeps what is stored. `onClosed` runs when this connection closes itself because a
 * newer worker wants to upgrade (`blocking`), or the browser closed it.
 */
export function openMediaDB(name = MEDIA_DB_NAME, onClosed?: () => void): Promise<IDBPDatabase<MediaCacheDB>> {
  return openDB<MediaCacheDB>(name, MEDIA_DB_VERSION, {
    upgrade(db, oldVersion) {
      if (oldVersion < 1) {
        const files = db.createObjectStore('files', { keyPath: 'url' });
        files.createIndex('byLastAccess', 'lastAccessAt');
        db.createObjectStore('segments', { keyPath: ['url', 'index'] });
      }
      if (oldVersion < 2) {
        // Version 2 adds downloads (pinned files); files and segments stay as they are.
        db.createObjectStore('downloads', { keyPath: 'url' });
      }
    },
    blocking(_currentVersion, _blockedVersion, event) {
      (event.target as IDBDatabase).close();
      onClosed?.();
    },
    terminated() {
      onClosed?.();
    },
  });
}
