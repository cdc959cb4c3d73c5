import type { MediaDatabase } from './MediaDatabase.js';
import type { MediaCacheDB } from './schema.js';

type UrlKeyedStore = 'files' | 'downloads';

/**
 * An in-memory copy of a URL-keyed object store, loaded once and kept up to date by its store
 * after each committed write. It is dropped when the connection closes (a newer worker upgrading).
 * Sound because the worker is the only writer; it spares reads that would otherwise queue behind
 * every pending segment write.
 */
export class RecordMirror<Name extends UrlKeyedStore> {
  private records: Promise<Map<string, MediaCacheDB[Name]['value']>> | undefined;

  constructor(
    private readonly database: MediaDatabase,
    private readonly storeName: Name,
  ) {
    database.onClosed(() => (this.records = undefined));
  }

  load(): Promise<Map<string, MediaCacheDB[Name]['value']>> {
    this.records ??= this.database
      .connection()
      .then((db) => db.getAll(this.storeName))
      .then((records) => new Map(records.map((record) => [record.url, record])))
      .catch((error: unknown) => {
        this.records = undefined;
        throw error;
      });
    return this.records;
  }
}
