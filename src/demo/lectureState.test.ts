import { describe, expect, it } from 'vitest';
import type { DownloadProgress, StoredFileInfo } from '../lib/index.js';
import { cacheMapCells } from './cacheMapCells.js';
import { lectureView } from './lectureState.js';

const url = 'https://lectures.test/media/one.mp4';
function file(storedBytes: number, download?: DownloadProgress): StoredFileInfo {
  return {
    url,
    sizeBytes: 4_000_000,
    contentType: 'video/mp4',
    storedBytes,
    segmentSizeBytes: 524_288,
    segmentCount: 8,
    storedSegments: [],
    pinned: download !== undefined,
    lastAccessAt: 0,
    download,
  };
}
function progress(state: DownloadProgress['state'], fraction: number, extra: Partial<DownloadProgress> = {}): DownloadProgress {
  return { url, state, storedBytes: fraction * 4_000_000, totalBytes: 4_000_000, fraction, ...extra };
}

describe('lectureView', () => {
  it.each([
    ['not stored', undefined, undefined, 'none', ['Download'], undefined, 'Streams online'],
    ['streamed only', file(1_000_000), undefined, 'cached', ['Download', 'Delete'], undefined, '1.0 MB cached from playback (25 %)'],
    ['queued', undefined, progress('queued', 0), 'queued', ['Pause', 'Cancel'], 0, 'Queued'],
    ['downloading', file(0), progress('downloading', 0.425), 'downloading', ['Pause', 'Cancel'], 42, 'Downloading 42 % · 1.7 MB of 4.0 MB'],
    ['verifying', undefined, progress('downloading', 1), 'downloading', ['Pause', 'Cancel'], 99, 'Verifying…'],
    ['in the background', undefined, { ...progress('downloading', 0.5), background: true }, 'downloading', ['Pause', 'Cancel'], 50, 'Downloading in the background · 2.0 MB of 4.0 MB stored'],
    ['paused', file(2_000_000, progress('paused', 0.5)), undefined, 'paused', ['Resume', 'Cancel'], 50, 'Paused at 50 % · 2.0 MB of 4.0 MB'],
    ['complete', file(4_000_000, progress('complete', 1)), undefined, 'complete', ['Delete'], 100, 'Available offline'],
    ['outdated', file(4_000_000, progress('outdated', 1)), undefined, 'outdated', ['Download', 'Delete'], 100, 'Available offline · a newer version is online: download it again'],
    ['error', undefined, progress('error', 0.3, { errorCode: 'quota-exceeded', errorMessage: 'Storage is full.' }), 'error', ['Resume', 'Delete'], 30, 'Storage is full.'],
  ] as const)('%s', (_name, info, update, state, actions, percent, status) => {
    expect(lectureView(info, update)).toEqual({ state, actions, percent, status });
  });

  it('prefers the progress event to the snapshot', () => {
    expect(lectureView(file(2_000_000, progress('paused', 0.5)), progress('downloading', 0.6)).state).toBe('downloading');
  });
});

describe('cacheMapCells', () => {
  it('has one cell per segment up to the limit', () => {
    expect(cacheMapCells([0, 2], 4, 100)).toEqual([1, 0, 1, 0]);
  });
  it('groups segments of a long file and ignores indices out of range', () => {
    expect(cacheMapCells([0, 1, 2, 5, 9], 6, 3)).toEqual([1, 0.5, 0.5]);
    expect(cacheMapCells([], 0, 3)).toEqual([]);
  });
});
