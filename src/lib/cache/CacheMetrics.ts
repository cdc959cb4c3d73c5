import type { AdaptiveSettings, CacheMetrics, RevalidationCounts } from '../messages.js';

/** Counters of where the bytes the cache hands out come from, and of what is in flight. */
export class CacheMetricsRecorder {
  bytesFromCache = 0;
  bytesFromNetwork = 0;
  activeStreams = 0;

  snapshot(activeFetches: number, adaptive: AdaptiveSettings, revalidations: RevalidationCounts): CacheMetrics {
    const total = this.bytesFromCache + this.bytesFromNetwork;
    return {
      bytesFromCache: this.bytesFromCache,
      bytesFromNetwork: this.bytesFromNetwork,
      hitRatio: total === 0 ? 0 : this.bytesFromCache / total,
      activeStreams: this.activeStreams,
      activeFetches,
      revalidations: { ...revalidations },
      adaptive,
    };
  }
}
