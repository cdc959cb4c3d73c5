import type { AdaptiveSettings, CacheMetrics } from '../messages.js';

/** Counters of where the bytes the cache hands out come from, and of what is in flight. */
export class CacheMetricsRecorder {
  bytesFromCache = 0;
  bytesFromNetwork = 0;
  activeStreams = 0;

  snapshot(activeFetches: number, adaptive: AdaptiveSettings): CacheMetrics {
    const total = this.bytesFromCache + this.bytesFromNetwork;
    return {
      bytesFromCache: this.bytesFromCache,
      bytesFromNetwork: this.bytesFromNetwork,
      hitRatio: total === 0 ? 0 : this.bytesFromCache / total,
      activeStreams: this.activeStreams,
      activeFetches,
      adaptive,
    };
  }
}
