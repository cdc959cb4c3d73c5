import type { DownloadProgress, StoredFileInfo } from '../messages.js';
import type { DownloadRecord, FileRecord } from '../store/schema.js';
import { segmentCount } from '../store/segmentLayout.js';
import { progressOf } from './DownloadManager.js';
import { storedSegmentIndices } from '../store/segmentBitmap.js';

/** What a page is told of one stored file: enough to draw its cache map and its download state. */
export function storedFileInfo(file: FileRecord, download: DownloadRecord | undefined): StoredFileInfo {
  const progress: DownloadProgress | undefined = download && progressOf(download, file);
  return {
    url: file.url,
    sizeBytes: file.sizeBytes,
    contentType: file.contentType,
    storedBytes: file.storedBytes,
    segmentSizeBytes: file.segmentSizeBytes,
    segmentCount: segmentCount(file),
    storedSegments: storedSegmentIndices(file.segmentBitmap),
    pinned: download !== undefined,
    lastAccessAt: file.lastAccessAt,
    download: progress,
  };
}
