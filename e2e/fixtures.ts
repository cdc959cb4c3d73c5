import { test as base, expect, type Page, type Response } from '@playwright/test';
import type { OriginStats, RequestRecord } from './origin/server';

export { serviceWorkerHeapBytes } from './serviceWorkerHeap';
export { stopServiceWorkers } from './stopServiceWorkers';

export { expect };

/** The test origin from global-setup.ts: base URL and its byte counters. */
export interface Origin {
  url: string;
  stats(): Promise<OriginStats>;
  reset(): Promise<void>;
  /** Requests whose path + query equals `path`, oldest first. */
  requestsFor(path: string): Promise<RequestRecord[]>;
  /** Body bytes sent for `path` + query so far. */
  bytesFor(path: string): Promise<number>;
  /** Makes the generated file at `pathname` (any query) serve version `version` from now on. */
  setVersion(pathname: string, version: number): Promise<void>;
  /** Serves a page of `contentType` at `pathname` (any query) instead of its file; undefined turns it off. */
  setPortal(pathname: string, contentType: string | undefined): Promise<void>;
  /** Opens or closes the gate `name` (answers with `gate=<name>` wait while it is closed). */
  setGate(name: string, open: boolean): Promise<void>;
  /** Makes every request but the control ones fail at the network level (true), or not (false). */
  setUnreachable(unreachable: boolean): Promise<void>;
}

/** What a `fetch()` run inside the page saw. */
export interface PageFetchResult {
  status: number;
  headers: Record<string, string>;
  length: number;
  sha256: string;
  /** The body, base64, when it is at most `maxBodyBytes`. */
  bodyBase64: string | null;
}

export interface PageFetchOptions {
  range?: string;
  headers?: Record<string, string>;
  /** Bodies up to this size come back whole (base64); larger ones only as SHA-256 + length. */
  maxBodyBytes?: number;
}

function originUrl(): string {
  const url = process.env.E2E_ORIGIN_URL;
  if (!url) throw new Error('E2E_ORIGIN_URL is not set: run the suite through playwright.config.ts (global setup)');
  return url;
}

export function makeOrigin(url = originUrl()): Origin {
  const stats = async (): Promise<OriginStats> => {
    const response = await fetch(`${url}/__origin/stats`);
    if (!response.ok) throw new Error(`origin stats: HTTP ${response.status}`);
    return (await response.json()) as OriginStats;
  };
  const control = async (name: string, params: Record<string, string>): Promise<void> => {
    const response = await fetch(`${url}/__origin/${name}?${new URLSearchParams(params)}`, { method: 'POST' });
    if (response.status !== 204) throw new Error(`origin ${name}: HTTP ${response.status} ${await response.text()}`);
  };
  return {
    url,
    stats,
    async reset() {
      const response = await fetch(`${url}/__origin/reset`, { method: 'POST' });
      if (response.status !== 204) throw new Error(`origin reset: HTTP ${response.status}`);
    },
    async requestsFor(path) {
      return (await stats()).recent.filter((record) => record.path === path);
    },
    async bytesFor(path) {
      return (await stats()).paths[path]?.bodyBytes ?? 0;
    },
    setVersion: (pathname, version) => control('version', { path: pathname, v: String(version) }),
    setPortal: (pathname, contentType) => control('portal', { path: pathname, type: contentType ?? '' }),
    setGate: (name, open) => control('gate', { name, open: open ? '1' : '0' }),
    setUnreachable: (unreachable) => control('unreachable', { on: unreachable ? '1' : '0' }),
  };
}

/** Opens `/` and waits until the service worker controls the page (it claims clients on activation). */
export async function openControlledPage(page: Page, url = '/'): Promise<void> {
  await page.goto(url);
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: 30_000 });
}

/** Runs `fetch(url, {headers: {Range}})` in the page; returns status, headers and the body (or its hash). */
export async function fetchInPage(page: Page, url: string, options: PageFetchOptions = {}): Promise<PageFetchResult> {
  const [result] = await fetchAllInPage(page, [{ url, ...options }], options.maxBodyBytes);
  return result!;
}

/** Runs several fetches in the page at the same time (Promise.all); results in request order. */
export async function fetchAllInPage(
  page: Page,
  requests: Array<{ url: string; range?: string; headers?: Record<string, string> }>,
  maxBodyBytes = 256 * 1024,
): Promise<PageFetchResult[]> {
  const plain = requests.map(({ url, range, headers }) => ({
    url,
    headers: { ...headers, ...(range === undefined ? {} : { Range: range }) },
  }));
  return page.evaluate(
    async ({ requests, maxBodyBytes }) => {
      const one = async ({ url, headers }: { url: string; headers: Record<string, string> }) => {
        const response = await fetch(url, { headers });
        const body = new Uint8Array(await response.arrayBuffer());
        const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', body));
        const sha256 = Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
        let bodyBase64: string | null = null;
        if (body.length <= maxBodyBytes) {
          let binary = '';
          for (let i = 0; i < body.length; i += 0x8000) {
            binary += String.fromCharCode(...body.subarray(i, i + 0x8000));
          }
          bodyBase64 = btoa(binary);
        }
        const responseHeaders: Record<string, string> = {};
        response.headers.forEach((value, name) => {
          responseHeaders[name] = value;
        });
        return { status: response.status, headers: responseHeaders, length: body.length, sha256, bodyBase64 };
      };
      return Promise.all(requests.map(one));
    },
    { requests: plain, maxBodyBytes },
  );
}

/** Records a measured figure as a `figure` annotation; the summary reporter prints them after the run. */
export function figure(description: string): void {
  test.info().annotations.push({ type: 'figure', description });
}

/** What one `fetch()` in the page ended as: a response read to the end, or a failure (and when). */
export interface ReadOutcome {
  /** 0 when fetch() itself rejected. */
  status: number;
  headers: Record<string, string>;
  /** Body bytes read before the end or the failure. */
  length: number;
  /** SHA-256 of the whole body; null when reading failed. */
  sha256: string | null;
  /** The body, base64, when complete and at most `maxBodyBytes`. */
  bodyBase64: string | null;
  /** fetch() start to the last body byte (or the failure), ms; hashing is not included. */
  elapsedMs: number;
  /** null when the body was read to the end. */
  error: string | null;
}

/**
 * Fetches `url` in the page and reads the body to the end, never throwing: a network error or a
 * body that errors midway comes back as `error`. Times the transfer (not the hashing).
 */
export async function readInPage(
  page: Page,
  url: string,
  options: { range?: string; headers?: Record<string, string>; maxBodyBytes?: number } = {},
): Promise<ReadOutcome> {
  const headers = { ...options.headers, ...(options.range === undefined ? {} : { Range: options.range }) };
  return page.evaluate(
    async ({ url, headers, maxBodyBytes }) => {
      const started = performance.now();
      let status = 0;
      const responseHeaders: Record<string, string> = {};
      const chunks: Uint8Array[] = [];
      let length = 0;
      let error: string | null = null;
      try {
        const response = await fetch(url, { headers });
        status = response.status;
        response.headers.forEach((value, name) => {
          responseHeaders[name] = value;
        });
        const reader = response.body!.getReader();
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          chunks.push(value);
          length += value.length;
        }
      } catch (caught) {
        error = String(caught);
      }
      const elapsedMs = performance.now() - started;
      let sha256: string | null = null;
      let bodyBase64: string | null = null;
      if (error === null) {
        const body = new Uint8Array(length);
        let at = 0;
        for (const chunk of chunks) {
          body.set(chunk, at);
          at += chunk.length;
        }
        chunks.length = 0;
        const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', body));
        sha256 = Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
        if (length <= maxBodyBytes) {
          let binary = '';
          for (let i = 0; i < body.length; i += 0x8000) binary += String.fromCharCode(...body.subarray(i, i + 0x8000));
          bodyBase64 = btoa(binary);
        }
      }
      return { status, headers: responseHeaders, length, sha256, bodyBase64, elapsedMs, error };
    },
    { url, headers, maxBodyBytes: options.maxBodyBytes ?? 256 * 1024 },
  );
}

/** Timeline of one streamed read in the page (ms since the fetch started). */
export interface StreamTimeline {
  status: number;
  headersAtMs: number;
  bytes: number;
  lastChunkAtMs: number;
  endedAtMs: number;
  /** `done` when the body ended normally, `error` when reading failed, `aborted` when we aborted. */
  outcome: 'done' | 'error' | 'aborted';
  error: string | null;
}

/**
 * Reads `url` with `Range` in the page chunk by chunk. With `abortAfterBytes` it aborts the fetch
 * once that many bytes arrived (the reader going away).
 */
export async function streamInPage(
  page: Page,
  url: string,
  options: { range?: string; abortAfterBytes?: number; timeoutMs?: number } = {},
): Promise<StreamTimeline> {
  return page.evaluate(
    async ({ url, range, abortAfterBytes, timeoutMs }) => {
      const started = performance.now();
      const since = (): number => Math.round(performance.now() - started);
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(new Error('test timeout')), timeoutMs);
      let status = 0;
      let headersAtMs = 0;
      let bytes = 0;
      let lastChunkAtMs = 0;
      try {
        const response = await fetch(url, {
          headers: range === undefined ? {} : { Range: range },
          signal: controller.signal,
        });
        status = response.status;
        headersAtMs = since();
        const reader = response.body!.getReader();
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          bytes += value.length;
          lastChunkAtMs = since();
          if (abortAfterBytes !== undefined && bytes >= abortAfterBytes) {
            controller.abort();
            return { status, headersAtMs, bytes, lastChunkAtMs, endedAtMs: since(), outcome: 'aborted' as const, error: null };
          }
        }
        return { status, headersAtMs, bytes, lastChunkAtMs, endedAtMs: since(), outcome: 'done' as const, error: null };
      } catch (error) {
        return {
          status,
          headersAtMs,
          bytes,
          lastChunkAtMs,
          endedAtMs: since(),
          outcome: 'error' as const,
          error: String(error),
        };
      } finally {
        clearTimeout(timer);
      }
    },
    { url, range: options.range, abortAfterBytes: options.abortAfterBytes, timeoutMs: options.timeoutMs ?? 60_000 },
  );
}

/** Records every response the page got, with whether the service worker produced it. */
export function recordResponses(page: Page): Array<{ url: string; status: number; fromServiceWorker: boolean; range: string | null; response: Response }> {
  const seen: Array<{ url: string; status: number; fromServiceWorker: boolean; range: string | null; response: Response }> = [];
  page.on('response', (response) => {
    seen.push({
      url: response.url(),
      status: response.status(),
      fromServiceWorker: response.fromServiceWorker(),
      range: response.request().headers()['range'] ?? null,
      response,
    });
  });
  return seen;
}


/** A small seeded PRNG (mulberry32), so random ranges are the same on every run. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A unique tag for URLs, so each test's resources are cold (a new cache key) even on a reused origin. */
export function uniqueTag(): string {
  return `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
}

export const test = base.extend<{ origin: Origin; swPage: Page }>({
  baseURL: async ({}, use) => {
    await use(originUrl());
  },
  origin: async ({}, use) => {
    await use(makeOrigin());
  },
  swPage: async ({ page }, use, testInfo) => {
    const log: string[] = [];
    const started = Date.now();
    page.on('console', (message) => log.push(`+${Date.now() - started}ms console.${message.type()}: ${message.text()}`));
    page.on('pageerror', (error) => log.push(`+${Date.now() - started}ms pageerror: ${error.message}`));
    page.context().on('serviceworker', (worker) => log.push(`+${Date.now() - started}ms serviceworker ${worker.url()}`));
    try {
      await openControlledPage(page);
      await use(page);
    } finally {
      if (testInfo.status !== testInfo.expectedStatus) {
        await testInfo.attach('page-log', { body: log.join('\n') || '(empty)', contentType: 'text/plain' });
      }
    }
  },
});
