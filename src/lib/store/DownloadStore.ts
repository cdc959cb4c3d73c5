import type { DownloadRecord } from './schema.js';
import { MediaDatabase } from './MediaDatabase.js';
import { RecordMirror } from './RecordMirror.js';

/**
 * The downloads the user asked for, mirrored in memory like the file records (the worker is the
 * only writer). A download record pins its file.
 */
export class DownloadStore {
  readonly database: MediaDatabase;
  private readonly records: RecordMirror<'downloads'>;

  constructor(database: MediaDatabase | string = new MediaDatabase()) {
    this.database = typeof database === 'string' ? new MediaDatabase(database) : database;
    this.records = new RecordMirror(this.database, 'downloads');
  }

  private mirror(): Promise<Map<string, DownloadRecord>> {
    return this.records.load();
  }

  async get(url: string): Promise<DownloadRecord | undefined> {
    return (await this.mirror()).get(url);
  }

  async list(): Promise<DownloadRecord[]> {
    return [...(await this.mirror()).values()];
  }

  async isPinned(url: string): Promise<boolean> {
    return (await this.mirror()).has(url);
  }

  async put(record: DownloadRecord): Promise<void> {
    const records = await this.mirror();
    await (await this.database.connection()).put('downloads', record);
    records.set(record.url, record);
  }

  /**
   * Records `record` in memory only, for a state that storage cannot take (full): the worker
   * answers with it until it restarts, when the last written record comes back.
   */
  async keepInMemory(record: DownloadRecord): Promise<void> {
    (await this.mirror()).set(record.url, record);
  }

  /** Deletes every download record. */
  async clear(): Promise<void> {
    const records = await this.mirror();
    await (await this.database.connection()).clear('downloads');
    records.clear();
  }

  async delete(url: string): Promise<void> {
    const records = await this.mirror();
    await (await this.database.connection()).delete('downloads', url);
    records.delete(url);
  }
}
