import type { DBSchema } from 'idb';
import type { SegmentBitmap } from './segmentBitmap.js';

export const MEDIA_DB_NAME = 'media-range-cache';
/** Bump on every schema change and add a step to `openMediaDB`'s upgrade. */
export const MEDIA_DB_VERSION = 3;

/**
 * What identifies one version of a resource. Bytes are only ever combined under equal validators:
 * a strong ETag, else Last-Modified together with the size (as Chromium's HTTP cache does for
 * partial content, net/http/partial_data.cc).
 */
export interface Validator {
  etag?: string;
  lastModified?: string;
}

export interface FileRecord {
  url: string;
  sizeBytes: number;
  validator: Validator;
  contentType: string;
  /** The origin's headers that answers keep (ORIGIN_HEADERS_KEPT); absent in records written before them. */
  headers?: Record<string, string>;
  segmentSizeBytes: number;
  /** The complete, verified segments, a bit each (since version 3; see segmentBitmap.ts). */
  segmentBitmap: SegmentBitmap;
  storedBytes: number;
  createdAt: number;
  lastAccessAt: number;
  /** When the origin last confirmed this version (a revalidation); absent: since `createdAt`. */
  validatedAt?: number;
}

/** A file record as versions 1 and 2 stored it: the stored segments as a list of indices. */
export type FileRecordV2 = Omit<FileRecord, 'segmentBitmap'> & { storedSegments: number[] };

export interface SegmentRecord {
  url: string;
  index: number;
  sizeBytes: number;
  /** A Blob where the engine takes Blob values: IndexedDB keeps large Blob values in their own
   * files and reads them back as file-backed handles (≈0.5 ms/MiB instead of 10–16 ms/MiB to
   * deserialize). An ArrayBuffer where it refuses them (see segmentValues.ts). */
  blob: Blob | ArrayBuffer;
}

/** `outdated`: complete and playable, but the origin has a newer version (found by a revalidation). */
export type DownloadRecordState = 'queued' | 'downloading' | 'paused' | 'complete' | 'outdated' | 'error';

/**
 * A file the user asked to keep for offline use. Its existence pins the file: pinned files are
 * never evicted automatically. Kept across restarts so an interrupted download resumes.
 */
export interface DownloadRecord {
  /** The file's cache key (its URL unless `MediaCacheOptions.cacheKey` says otherwise). */
  url: string;
  /** The URL the download fetches from, when it is not the key (a signed URL): the latest one a page asked for. */
  sourceUrl?: string;
  state: DownloadRecordState;
  /** Hex SHA-256 the app expects the whole file to have, checked before `complete`. */
  sha256?: string;
  errorCode?: string;
  errorMessage?: string;
  /** True while the download runs as a Background Fetch (the browser fetches; the worker stores at the end). */
  background?: boolean;
  requestedAt: number;
  updatedAt: number;
}

export interface MediaCacheDB extends DBSchema {
  /** Since version 2. */
  downloads: {
    key: string;
    value: DownloadRecord;
  };
  files: {
    key: string;
    value: FileRecord;
    indexes: { byLastAccess: number };
  };
  segments: {
    key: [string, number];
    value: SegmentRecord;
  };
}
