import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { adaptToMemory } from './adaptToMemory.js';
import { defaultConfig, KiB, MiB } from './config.js';
import { RangeCache } from './cache/RangeCache.js';
import { SegmentStore } from './store/SegmentStore.js';
import { MediaDatabase } from './store/MediaDatabase.js';

describe('adaptToMemory', () => {
  it.each([
    // deviceMemoryGiB, budget, first window, largest window, read-ahead, kept segments
    [undefined, 32 * MiB, 2 * MiB, 16 * MiB, 1 * MiB, 4],
    [32, 128 * MiB, 2 * MiB, 16 * MiB, 1 * MiB, 4],
    [8, 32 * MiB, 2 * MiB, 16 * MiB, 1 * MiB, 4],
    [4, 16 * MiB, 2 * MiB, 8 * MiB, 1 * MiB, 4],
    [2, 8 * MiB, 2 * MiB, 4 * MiB, 1 * MiB, 4],
    [1, 4 * MiB, 2 * MiB, 2 * MiB, 1 * MiB, 4],
    [0.5, 2 * MiB, 1 * MiB, 1 * MiB, 512 * KiB, 3],
    [0.25, 1 * MiB, 1 * MiB, 1 * MiB, 512 * KiB, 3],
  ])('deviceMemory %s GiB: budget %i, windows %i..%i, read-ahead %i, %i segments kept', (deviceMemoryGiB, budget, first, largest, readAhead, kept) => {
    const { config, memoryBudgetBytes } = adaptToMemory({ deviceMemoryGiB });
    expect(memoryBudgetBytes).toBe(budget);
    expect(config).toEqual({ fetchWindowBytes: first, maxFetchWindowBytes: largest, readAheadBytes: readAhead, recentSegmentsKept: kept });
  });

  it('treats a value that is not a positive number as unknown', () => {
    for (const deviceMemoryGiB of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(adaptToMemory({ deviceMemoryGiB })).toEqual(adaptToMemory({ deviceMemoryGiB: undefined }));
    }
  });

  it('keeps windows whole segments and the read-ahead within the kept segments', () => {
    for (const deviceMemoryGiB of [0.25, 0.5, 1, 2, 4, 8, 16]) {
      const { config } = adaptToMemory({ deviceMemoryGiB });
      expect(config.fetchWindowBytes % defaultConfig.segmentSizeBytes).toBe(0);
      expect(config.maxFetchWindowBytes % defaultConfig.segmentSizeBytes).toBe(0);
      expect(config.fetchWindowBytes).toBeLessThanOrEqual(config.maxFetchWindowBytes);
      expect(config.readAheadBytes).toBeLessThanOrEqual((config.recentSegmentsKept - 1) * defaultConfig.segmentSizeBytes);
    }
  });
});

describe('RangeCache metrics: adaptive', () => {
  let counter = 0;
  const storeFor = (): SegmentStore => new SegmentStore(new MediaDatabase(`adaptive-test-${++counter}`));

  it('reports what it chose for the device', () => {
    const cache = new RangeCache({ store: storeFor(), memory: { deviceMemoryGiB: 2 } });
    expect(cache.metricsSnapshot().adaptive).toEqual({
      deviceMemoryGiB: 2,
      memoryBudgetBytes: 8 * MiB,
      segmentSizeBytes: 512 * KiB,
      fetchWindowBytes: 2 * MiB,
      maxFetchWindowBytes: 4 * MiB,
      readAheadBytes: 1 * MiB,
      recentSegmentsKept: 4,
      pooledBuffersAllocated: 0,
      measuredBytesPerSecond: null,
      timeoutFloorBytesPerSecond: 128_000,
    });
    expect(cache.config.maxFetchWindowBytes).toBe(4 * MiB);
  });

  it('says null where the device memory is unknown, and explicit configuration wins', () => {
    const cache = new RangeCache({ store: storeFor(), memory: { deviceMemoryGiB: undefined }, config: { maxFetchWindowBytes: 4 * MiB } });
    const { adaptive } = cache.metricsSnapshot();
    expect(adaptive.deviceMemoryGiB).toBeNull();
    expect(adaptive.maxFetchWindowBytes).toBe(4 * MiB);
    expect(adaptive.fetchWindowBytes).toBe(2 * MiB);
  });
});
