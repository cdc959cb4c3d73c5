import type { FetchCursor, SegmentFetch } from './SegmentFetch.js';

/** A reader placeholder that keeps a probe fetch alive until the response's own reader joins. */
export class Hold {
  private released = false;
  constructor(
    readonly fetch: SegmentFetch,
    private readonly cursor: FetchCursor,
  ) {}

  release(): void {
    if (this.released) return;
    this.released = true;
    this.fetch.detach(this.cursor);
  }
}
