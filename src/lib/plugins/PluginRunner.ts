import { devLog } from '../devLog.js';
import type { MediaCachePlugin } from './MediaCachePlugin.js';

type Notification = Exclude<keyof MediaCachePlugin, 'segmentWillBeStored'>;
type ParamOf<Name extends keyof MediaCachePlugin> = Parameters<NonNullable<MediaCachePlugin[Name]>>[0];

/** Calls an app's plugins; isolates the cache from their failures. */
export class PluginRunner {
  constructor(private readonly plugins: readonly MediaCachePlugin[] = []) {}

  /** False when any plugin vetoes storing the segment; a plugin that fails does not veto. */
  async segmentWillBeStored(param: ParamOf<'segmentWillBeStored'>): Promise<boolean> {
    for (const plugin of this.plugins) {
      if (!plugin.segmentWillBeStored) continue;
      try {
        if ((await plugin.segmentWillBeStored(param)) === false) return false;
      } catch (error) {
        if (__DEV__) devLog('plugin failed', { callback: 'segmentWillBeStored', error });
      }
    }
    return true;
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
