import type { IDBPDatabase } from 'idb';
import { MediaCacheError } from '../errors/MediaCacheError.js';
import { openMediaDB } from './openMediaDB.js';
import { MEDIA_DB_NAME, type MediaCacheDB } from './schema.js';

/**
 * One lazily opened connection to the cache's database, shared by the stores built on it. It is
 * dropped when a newer worker needs to upgrade (`blocking`) or the browser closes it; the next use
 * opens it again, and the stores drop what they mirror in memory.
 */
export class MediaDatabase {
  private db: Promise<IDBPDatabase<MediaCacheDB>> | undefined;
  private readonly closedListeners = new Set<() => void>();

  constructor(readonly name: string = MEDIA_DB_NAME) {}

  connection(): Promise<IDBPDatabase<MediaCacheDB>> {
    this.db ??= openMediaDB(this.name, () => this.dropped()).catch((cause: unknown) => {
      this.db = undefined;
      throw new MediaCacheError('storage-failed', { operation: 'open' }, { cause });
    });
    return this.db;
  }

  onClosed(listener: () => void): void {
    this.closedListeners.add(listener);
  }

  close(): void {
    const db = this.db;
    this.dropped();
    void db?.then((connection) => connection.close()).catch(() => undefined);
  }

  private dropped(): void {
    this.db = undefined;
    for (const listener of this.closedListeners) listener();
  }
}
