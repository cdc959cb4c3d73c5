import { openDB, type IDBPDatabase } from 'idb';
import { MEDIA_DB_NAME, MEDIA_DB_VERSION, type FileRecord, type FileRecordV2, type MediaCacheDB } from './schema.js';
import { segmentBitmapOf, storedSegmentIndices } from './segmentBitmap.js';
import { segmentCount, segmentLength } from './segmentLayout.js';

/**
 * Opens the database, creating or upgrading it. Every version has an upgrade step so a service
 * worker update keeps what is stored. `onClosed` runs when this connection closes itself because a
 * newer worker wants to upgrade (`blocking`), or the browser closed it.
 */
export function openMediaDB(name = MEDIA_DB_NAME, onClosed?: () => void): Promise<IDBPDatabase<MediaCacheDB>> {
  return openDB<MediaCacheDB>(name, MEDIA_DB_VERSION, {
    async upgrade(db, oldVersion, _newVersion, transaction) {
      if (oldVersion < 1) {
        const files = db.createObjectStore('files', { keyPath: 'url' });
        files.createIndex('byLastAccess', 'lastAccessAt');
        db.createObjectStore('segments', { keyPath: ['url', 'index'] });
      }
      if (oldVersion < 2) {
        // Version 2 adds downloads (pinned files); files and segments stay as they are.
        db.createObjectStore('downloads', { keyPath: 'url' });
      }
      if (oldVersion < 3) {
        // Version 3 keeps a file's stored segments as a bitmap instead of a list of indices.
        for (let cursor = await transaction.objectStore('files').openCursor(); cursor; cursor = await cursor.continue()) {
          await cursor.update(fileRecordV3(cursor.value as unknown as FileRecordV2));
        }
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

/**
 * A version-2 file record as version 3 stores it. The stored bytes are counted anew from the
 * segments kept, so an index past the end (or a record without a list) cannot leave a wrong count.
 */
function fileRecordV3(record: FileRecordV2): FileRecord {
  const { storedSegments, ...rest } = record;
  const segmentBitmap = segmentBitmapOf(storedSegments ?? [], segmentCount(record));
  const storedBytes = storedSegmentIndices(segmentBitmap).reduce((sum, index) => sum + segmentLength(index, record), 0);
  return { ...rest, segmentBitmap, storedBytes };
}
