import { defaultConfig, KiB, MiB, type MediaCacheConfig } from './config.js';
import type { AdaptiveSettings } from './messages.js';
import type { TransferRates } from './stream/TransferRates.js';

/** What the in-memory sizes adapt to; only `deviceMemoryGiB` so far. */
export interface MemoryFacts {
  /** `navigator.deviceMemory` (GiB, a coarse bucket; Chromium exposes it to workers), or undefined. */
  deviceMemoryGiB: number | undefined;
}

/** Share of the device's memory the cold path's in-flight bytes may take: 32 MiB on 8 GiB. */
const BUDGET_SHARE = 1 / 256;
/** The budget assumed where the browser does not say (Firefox, Safari): that of 8 GiB, the defaults. */
const UNKNOWN_BUDGET_BYTES = 32 * MiB;

/**
 * The in-memory sizes of the cold path, chosen for the device: adapted, not fixed. The
 * stored format (`segmentSizeBytes`) never changes; what adapts is what is held while streaming:
 *
 * - `maxFetchWindowBytes`: Chromium buffers a fetch() body eagerly and whole in the worker, so a
 *   window (and the next one, asked for ahead) is memory held per reading run: half the budget.
 * - `fetchWindowBytes`: the first window, at most the largest.
 * - `readAheadBytes`: how far the shared fetch runs ahead of its fastest reader, at most half a
 *   window, so a reader just behind the edge finds its bytes in the kept segments.
 * - `recentSegmentsKept`: enough segments in memory to cover the read-ahead and the one being filled.
 *
 * Explicit configuration wins over all of this (see RangeCache).
 */
export function adaptToMemory(facts: MemoryFacts, base: Readonly<MediaCacheConfig> = defaultConfig): {
  config: Pick<MediaCacheConfig, 'fetchWindowBytes' | 'maxFetchWindowBytes' | 'readAheadBytes' | 'recentSegmentsKept'>;
  memoryBudgetBytes: number;
} {
  const deviceMemoryGiB = validMemory(facts.deviceMemoryGiB);
  const memoryBudgetBytes = deviceMemoryGiB === undefined ? UNKNOWN_BUDGET_BYTES : deviceMemoryGiB * 1024 * MiB * BUDGET_SHARE;
  const segment = base.segmentSizeBytes;
  const maxFetchWindowBytes = powerOfTwoSegments(memoryBudgetBytes / 2, segment, 2 * segment, base.maxFetchWindowBytes);
  const fetchWindowBytes = Math.min(base.fetchWindowBytes, maxFetchWindowBytes);
  const readAheadBytes = Math.max(64 * KiB, Math.min(base.readAheadBytes, maxFetchWindowBytes / 2));
  const recentSegmentsKept = Math.min(base.recentSegmentsKept, Math.ceil(readAheadBytes / segment) + 2);
  return { config: { fetchWindowBytes, maxFetchWindowBytes, readAheadBytes, recentSegmentsKept }, memoryBudgetBytes };
}

/** The figures the worker reports in its `metrics` reply. */
export function adaptiveSettings(
  facts: MemoryFacts,
  memoryBudgetBytes: number,
  config: MediaCacheConfig,
  pooledBuffersAllocated: number,
  rates: TransferRates,
): AdaptiveSettings {
  const measured = rates.measuredBytesPerMs();
  return {
    deviceMemoryGiB: validMemory(facts.deviceMemoryGiB) ?? null,
    memoryBudgetBytes,
    segmentSizeBytes: config.segmentSizeBytes,
    fetchWindowBytes: config.fetchWindowBytes,
    maxFetchWindowBytes: config.maxFetchWindowBytes,
    readAheadBytes: config.readAheadBytes,
    recentSegmentsKept: config.recentSegmentsKept,
    pooledBuffersAllocated,
    measuredBytesPerSecond: measured === undefined ? null : Math.round(measured * 1000),
    timeoutFloorBytesPerSecond: Math.round(rates.floorBytesPerMs() * 1000),
  };
}

/** What the current global says (`navigator.deviceMemory` in a Chromium worker or page). */
export function currentMemoryFacts(): MemoryFacts {
  const navigatorLike = (globalThis as { navigator?: { deviceMemory?: unknown } }).navigator;
  const value = navigatorLike?.deviceMemory;
  return { deviceMemoryGiB: typeof value === 'number' ? value : undefined };
}

function validMemory(value: number | undefined): number | undefined {
  return value !== undefined && Number.isFinite(value) && value > 0 ? value : undefined;
}

/** The largest `segment · 2^k` not above `bytes`, within [min, max]. */
function powerOfTwoSegments(bytes: number, segment: number, min: number, max: number): number {
  let size = segment;
  while (size * 2 <= bytes) size *= 2;
  return Math.max(min, Math.min(max, size));
}
