import type { DownloadProgress, StoredFileInfo } from '../lib/index.js';

export type LectureAction = 'Download' | 'Pause' | 'Resume' | 'Cancel' | 'Delete';

/** `none`: nothing stored; `cached`: some segments stored by playback, no download. */
export type LectureState = 'none' | 'cached' | DownloadProgress['state'];

export interface LectureView {
  state: LectureState;
  /** The buttons to show, in order. */
  actions: LectureAction[];
  status: string;
  /** The progress bar's value (0–100), or undefined when there is no download to show. */
  percent: number | undefined;
}

const actionsByState: Record<LectureState, LectureAction[]> = {
  none: ['Download'],
  cached: ['Download', 'Delete'],
  queued: ['Pause', 'Cancel'],
  downloading: ['Pause', 'Cancel'],
  paused: ['Resume', 'Cancel'],
  complete: ['Delete'],
  // Still plays offline; Download fetches the origin's new version in its place.
  outdated: ['Download', 'Delete'],
  error: ['Resume', 'Delete'],
};

function mb(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

/**
 * What a lecture card shows, from what the worker says about the file and the latest progress
 * event (which is newer than the file's snapshot when both exist). Pure, so it is unit tested.
 */
export function lectureView(file: StoredFileInfo | undefined, progress: DownloadProgress | undefined): LectureView {
  const download = progress ?? file?.download;
  if (download === undefined) {
    const storedBytes = file?.storedBytes ?? 0;
    if (storedBytes === 0) return { state: 'none', actions: actionsByState.none, status: 'Streams online', percent: undefined };
    const sizeBytes = file?.sizeBytes ?? 0;
    const share = sizeBytes > 0 ? ` (${Math.floor((storedBytes / sizeBytes) * 100)} %)` : '';
    return { state: 'cached', actions: actionsByState.cached, status: `${mb(storedBytes)} cached from playback${share}`, percent: undefined };
  }
  const { state, storedBytes, totalBytes, fraction } = download;
  // 100 only once the worker says complete: it verifies the file before it does.
  const percent = state === 'complete' || state === 'outdated' ? 100 : Math.min(99, Math.floor(fraction * 100));
  const of = totalBytes > 0 ? `${mb(storedBytes)} of ${mb(totalBytes)}` : mb(storedBytes);
  const status: Record<DownloadProgress['state'], string> = {
    queued: 'Queued',
    downloading: download.background
      ? `Downloading in the background · ${of} stored`
      : fraction >= 1
        ? 'Verifying…'
        : `Downloading ${percent} % · ${of}`,
    paused: `Paused at ${percent} % · ${of}`,
    complete: 'Available offline',
    outdated: 'Available offline · a newer version is online: download it again',
    error: download.errorMessage ?? 'The download failed.',
  };
  return { state, actions: actionsByState[state], status: status[state], percent };
}
