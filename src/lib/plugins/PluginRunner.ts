import { devLog } from '../devLog.js';
import { raceWithTimeout } from '../stream/adaptiveTimeout.js';
import type { MediaCachePlugin } from './MediaCachePlugin.js';

type Notification = Exclude<keyof MediaCachePlugin, 'segmentWillBeStored' | 'cacheKeyWillBeUsed'>;
type ParamOf<Name extends keyof MediaCachePlugin> = Parameters<NonNullable<MediaCachePlugin[Name]>>[0];

/**
 * How long a `segmentWillBeStored` decision may take. The segment waits for it, and a fetch stops
 * reading upstream while a few segments wait to be stored: a plugin that never answers would
 * stall the answer itself.
 */
export const PLUGIN_DECISION_TIMEOUT_MS = 1000;

/** Calls an app's plugins; isolates the cache from their failures. */
export class PluginRunner {
  constructor(
    private readonly plugins: readonly MediaCachePlugin[] = [],
    private readonly decisionTimeoutMs = PLUGIN_DECISION_TIMEOUT_MS,
  ) {}

  /**
   * False when any plugin vetoes storing the segment; a plugin that fails, or has not decided
   * within the decision timeout, does not veto.
   */
  async segmentWillBeStored(param: ParamOf<'segmentWillBeStored'>): Promise<boolean> {
    for (const plugin of this.plugins) {
      if (!plugin.segmentWillBeStored) continue;
      try {
        const decision = Promise.resolve().then(() => plugin.segmentWillBeStored!(param));
        if ((await raceWithTimeout(decision, this.decisionTimeoutMs)) === false) return false;
      } catch (error) {
        if (__DEV__) devLog('plugin failed', { callback: 'segmentWillBeStored', error });
      }
    }
    return true;
  }

  /**
   * The key after every plugin's `cacheKeyWillBeUsed`, in order; one that fails, answers no
   * string or has not answered within the decision timeout leaves it.
   */
  async cacheKeyWillBeUsed(request: Request, key: string): Promise<string> {
    for (const plugin of this.plugins) {
      if (!plugin.cacheKeyWillBeUsed) continue;
      try {
        // Every media request waits for the key: a plugin that never answers must not hold it.
        const decision = Promise.resolve().then(() => plugin.cacheKeyWillBeUsed!({ request, key }));
        const next = await raceWithTimeout(decision, this.decisionTimeoutMs);
        if (typeof next === 'string' && next !== '') key = next;
      } catch (error) {
        if (__DEV__) devLog('plugin failed', { callback: 'cacheKeyWillBeUsed', error });
      }
    }
    return key;
  }

  get hasCacheKeyWillBeUsed(): boolean {
    return this.plugins.some((plugin) => plugin.cacheKeyWillBeUsed);
  }

  /** Calls `name` on every plugin that has it, without waiting for them. */
  notify<Name extends Notification>(name: Name, param: ParamOf<Name>): void {
    for (const plugin of this.plugins) {
      const callback = plugin[name] as ((param: ParamOf<Name>) => unknown) | undefined;
      if (!callback) continue;
      try {
        void Promise.resolve(callback.call(plugin, param)).catch((error: unknown) => {
          if (__DEV__) devLog('plugin failed', { callback: name, error });
        });
      } catch (error) {
        if (__DEV__) devLog('plugin failed', { callback: name, error });
      }
    }
  }

  get hasSegmentWillBeStored(): boolean {
    return this.plugins.some((plugin) => plugin.segmentWillBeStored);
  }
}
