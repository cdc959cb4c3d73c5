import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PluginRunner } from './PluginRunner.js';

const segment = { url: 'https://a.test/v.mp4', index: 3, sizeBytes: 8 };

describe('PluginRunner', () => {
  beforeEach(() => void vi.spyOn(console, 'debug').mockImplementation(() => undefined));
  afterEach(() => void vi.restoreAllMocks());

  it('lets a segment be stored unless some plugin says false, asking in order until one does', async () => {
    const asked: string[] = [];
    const runner = new PluginRunner([
      { segmentWillBeStored: () => void asked.push('first') },
      { segmentWillBeStored: async () => (asked.push('second'), false) },
      { segmentWillBeStored: () => (asked.push('third'), true) },
    ]);
    expect(await runner.segmentWillBeStored(segment)).toBe(false);
    expect(asked).toEqual(['first', 'second']);
    expect(await new PluginRunner([{ segmentWillBeStored: () => true }, {}]).segmentWillBeStored(segment)).toBe(true);
    expect(await new PluginRunner().segmentWillBeStored(segment)).toBe(true);
  });

  it('chains cacheKeyWillBeUsed in order; a plugin that fails or answers no string keeps the key', async () => {
    const request = new Request('https://a.test/v.mp4?token=1');
    const runner = new PluginRunner([
      { cacheKeyWillBeUsed: ({ key }) => key.replace('?token=1', '') },
      {
        cacheKeyWillBeUsed: () => {
          throw new Error('bug');
        },
      },
      { cacheKeyWillBeUsed: () => undefined },
      { cacheKeyWillBeUsed: async ({ key, request: seen }) => `${key}#${new URL(seen.url).search}` },
    ]);
    expect(await runner.cacheKeyWillBeUsed(request, request.url)).toBe('https://a.test/v.mp4#?token=1');
    expect(await new PluginRunner().cacheKeyWillBeUsed(request, 'k')).toBe('k');
  });

  it('does not let a cacheKeyWillBeUsed that never answers hold the request: past the timeout the key stays', async () => {
    const runner = new PluginRunner([{ cacheKeyWillBeUsed: () => new Promise<string>(() => undefined) }, { cacheKeyWillBeUsed: ({ key }) => `${key}!` }], 20);
    expect(await runner.cacheKeyWillBeUsed(new Request('https://a.test/v.mp4'), 'k')).toBe('k!');
  });

  it('does not count a failing plugin as a veto', async () => {
    const runner = new PluginRunner([
      {
        segmentWillBeStored: () => {
          throw new Error('bug');
        },
      },
      { segmentWillBeStored: () => Promise.reject(new Error('bug')) },
    ]);
    expect(await runner.segmentWillBeStored(segment)).toBe(true);
  });

  it('does not let a plugin that never decides hold the segment back: past the timeout it is no veto', async () => {
    const asked: string[] = [];
    const runner = new PluginRunner(
      [
        { segmentWillBeStored: () => (asked.push('hung'), new Promise<boolean>(() => undefined)) },
        { segmentWillBeStored: () => (asked.push('next'), false) },
      ],
      20,
    );
    const started = Date.now();
    expect(await runner.segmentWillBeStored(segment)).toBe(false); // the next plugin was still asked
    expect(asked).toEqual(['hung', 'next']);
    expect(Date.now() - started).toBeGreaterThanOrEqual(15);
    expect(await new PluginRunner([{ segmentWillBeStored: () => new Promise<boolean>(() => undefined) }], 20).segmentWillBeStored(segment)).toBe(true);
  });

  it('notifies every plugin that has the callback, as a method of its plugin, whatever the others do', async () => {
    const seen: unknown[] = [];
    const plugin = {
      name: 'mine',
      segmentDidStore(this: { name: string }, param: unknown) {
        seen.push([this.name, param]);
      },
    };
    const runner = new PluginRunner([
      {
        segmentDidStore: () => {
          throw new Error('bug');
        },
      },
      { segmentDidStore: () => Promise.reject(new Error('bug')) },
      plugin,
      { fetchDidFail: () => void seen.push('not this one') },
    ]);
    runner.notify('segmentDidStore', segment);
    await Promise.resolve();
    expect(seen).toEqual([['mine', segment]]);
    expect(runner.hasSegmentWillBeStored).toBe(false);
  });
});
