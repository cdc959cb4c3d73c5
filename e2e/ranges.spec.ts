/**
 * Range answers through the service worker, byte for byte: cold (network path, stored as it
 * streams) and warm (offline: the SW's fetch fails, so only storage can answer).
 */
import type { Page } from '@playwright/test';
import { expect, fetchInPage, seededRandom, test, uniqueTag, type Origin } from './fixtures';
import { expectRangeResponse, randomRanges } from './rangeExpectations';
import { distMedia, fileSource, generatedSource, vectorSource, type ByteSource } from './sources';
import { POLICY_DIVERGENCES, rangeVectorCases, type VectorCase } from './vectors';
import { loadVector } from '../test/loadVector';
import { waitForStoredBytes } from './workerClient';

const SEGMENT_BYTES = 512 * 1024;

/** Asserts every upstream request the origin saw for `path` is aligned to 512 KiB segments. */
async function expectAlignedUpstream(origin: Origin, path: string, sizeBytes: number): Promise<void> {
  const records = await origin.requestsFor(path);
  expect(records.length, `origin requests for ${path}`).toBeGreaterThan(0);
  for (const record of records) {
    const match = /^bytes=(\d+)-(\d*)$/.exec(record.range ?? '');
    expect(match, `upstream Range "${record.range}" is one range`).not.toBeNull();
    const start = Number(match![1]);
    expect(start % SEGMENT_BYTES, `upstream Range ${record.range} starts on a segment boundary`).toBe(0);
    if (match![2] !== '') {
      const endExclusive = Number(match![2]) + 1;
      const aligned = endExclusive % SEGMENT_BYTES === 0 || endExclusive >= sizeBytes;
      expect(aligned, `upstream Range ${record.range} ends on a segment boundary or the end (${sizeBytes})`).toBe(true);
    }
  }
}

async function checkRanges(page: Page, url: string, ranges: string[], source: ByteSource, pass: string): Promise<void> {
  for (const range of ranges) {
    const result = await fetchInPage(page, url, { range });
    expectRangeResponse(result, range, source, `${pass} ${url} ${range}`);
  }
}

test.describe('range answers through the service worker', () => {
  test('40 seeded random ranges of a generated 8 MiB file: cold, then warm offline', async ({ swPage: page, context, origin }) => {
    const size = 8 * 1024 * 1024;
    const path = `/media/gen/random-${uniqueTag()}.bin?size=${size}`;
    const ranges = randomRanges(seededRandom(20240115), size, 40);
    await checkRanges(page, path, ranges, generatedSource(size), 'cold');
    // Last in the cold pass (it stores every segment): the whole file without Range, 200.
    expectRangeResponse(await fetchInPage(page, path), undefined, generatedSource(size), 'cold, no Range');
    await expectAlignedUpstream(origin, path, size);
    await context.setOffline(true);
    await checkRanges(page, path, ranges, generatedSource(size), 'warm offline');
    expectRangeResponse(await fetchInPage(page, path), undefined, generatedSource(size), 'warm offline, no Range');
  });

  test('40 seeded random ranges of the committed MP4: cold, then warm offline (bytes equal the file on disk)', async ({ swPage: page, context, origin }) => {
    const [video] = distMedia('.mp4');
    expect(video, 'a committed .mp4 in dist/media').toBeDefined();
    const source = fileSource(video!.path);
    const ranges = randomRanges(seededRandom(7), source.sizeBytes, 40);
    // A query of its own makes a cache key the demo page cannot have warmed (the origin ignores it).
    const url = `${video!.url}?t=${uniqueTag()}`;
    await checkRanges(page, url, ranges, source, 'cold');
    await expectAlignedUpstream(origin, url, source.sizeBytes);
    await context.setOffline(true);
    await checkRanges(page, url, ranges, source, 'warm offline');
  });

  test('external Range vectors (send/serve-static, nginx, apache) through the SW, cold then warm offline', async ({ swPage: page, context }) => {
    test.setTimeout(180_000);
    const rows = rangeVectorCases();
    expect(rows.filter((row) => row.divergence).length).toBe(Object.keys(POLICY_DIVERGENCES).length);
    const tag = uniqueTag();
    // Each row gets its own URL, so its cold pass really is cold.
    const urlOf = (row: VectorCase, i: number): string => `/media/gen/vector/${row.resource}?case=${i}-${tag}`;
    const check = async (pass: string): Promise<void> => {
      for (const [i, row] of rows.entries()) {
        const label = `${pass} ${row.suite}: ${row.label} [Range: ${JSON.stringify(row.range)}]`;
        const result = await fetchInPage(page, urlOf(row, i), row.range === undefined ? {} : { range: row.range }).catch((error: unknown) => {
          throw new Error(`${label} (row ${i} of ${rows.length}, ${urlOf(row, i)}): ${String(error)}`);
        });
        expectRangeResponse(result, row.range, vectorSource(row.resource), label);
        if (row.divergence) continue;
        if (row.expect.status !== undefined) expect(result.status, `${label}: status`).toBe(row.expect.status);
        for (const [name, value] of Object.entries(row.expect.headers ?? {})) {
          expect(result.headers[name.toLowerCase()], `${label}: ${name}`).toBe(value);
        }
        if (row.expect.body !== undefined) {
          expect(Buffer.from(result.bodyBase64!, 'base64').toString('latin1'), `${label}: body`).toBe(row.expect.body);
        }
      }
    };
    await check('cold');
    await context.setOffline(true);
    await check('warm offline');
  });

  test('positions past 2^53 (test/vectors/huge-positions.json): clamped, unsatisfiable or ignored by their value, cold then warm offline', async ({ swPage: page, context }) => {
    const rows = loadVector<{ cases: Array<{ size: number; header: string; status: number; range?: [number, number] }> }>('huge-positions.json').cases;
    const tag = uniqueTag();
    const check = async (pass: string, urlOf: (i: number, size: number) => string): Promise<void> => {
      for (const [i, row] of rows.entries()) {
        const label = `${pass} ${row.header} (size ${row.size})`;
        const result = await fetchInPage(page, urlOf(i, row.size), { range: row.header }).catch((error: unknown) => {
          throw new Error(`${label}: ${String(error)}`);
        });
        expect(result.status, `${label}: status`).toBe(row.status);
        const source = generatedSource(row.size);
        if (row.status === 206) {
          const [start, end] = row.range!;
          expect(result.headers['content-range'], `${label}: Content-Range`).toBe(`bytes ${start}-${end}/${row.size}`);
          expect(result.sha256, `${label}: bytes`).toBe(source.sha256(start, end + 1));
        } else if (row.status === 416) {
          expect(result.headers['content-range'], `${label}: Content-Range`).toBe(`bytes */${row.size}`);
          expect(result.length, `${label}: no body`).toBe(0);
        } else {
          expect(result.sha256, `${label}: the whole file`).toBe(source.sha256(0, row.size));
        }
      }
    };
    // Cold: each row on a URL of its own, so its answer is planned from the upstream's.
    await check('cold', (i, size) => `/media/gen/huge-${i}-${tag}.bin?size=${size}`);
    // Warm: one stored file per size, answered offline from storage alone.
    const storedUrl = (size: number): string => `/media/gen/huge-stored-${tag}.bin?size=${size}`;
    for (const size of new Set(rows.map((row) => row.size))) {
      expect((await fetchInPage(page, storedUrl(size))).sha256, `the stored file of ${size} bytes`).toBe(generatedSource(size).sha256(0, size));
      // Writes trail reads: offline only once every byte is stored.
      const url = new URL(storedUrl(size), page.url()).href;
      await waitForStoredBytes(page, url, size);
    }
    await context.setOffline(true);
    await check('warm offline', (_, size) => storedUrl(size));
  });
});
