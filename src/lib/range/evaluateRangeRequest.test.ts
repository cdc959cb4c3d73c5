import { describe, expect, it } from 'vitest';
import { parseContentRange } from './contentRange.js';
import { createRangeResponse } from './createRangeResponse.js';
import { evaluateRangeRequest } from './evaluateRangeRequest.js';
import { parseRangeHeader } from './parseRangeHeader.js';
import { resolveRanges } from './resolveRanges.js';
import type { RangeResolution, Representation } from './types.js';
import { loadVector } from '../../../test/loadVector.js';

const full: RangeResolution = { kind: 'full' };
const unsatisfiable: RangeResolution = { kind: 'unsatisfiable' };
const partial = (...pairs: [number, number][]): RangeResolution => ({
  kind: 'partial',
  ranges: pairs.map(([start, end]) => ({ start, end })),
});
const statusOf = (resolution: RangeResolution): number =>
  resolution.kind === 'full' ? 200 : resolution.kind === 'unsatisfiable' ? 416 : 206;

/** Runs a request through the whole decision and the response builder, on a text body. */
async function answer(body: string, requestHeaders: Record<string, string>, validators: Partial<Representation> = {}) {
  const blob = new Blob([body]);
  const representation: Representation = { sizeBytes: blob.size, contentType: 'text/plain', ...validators };
  const resolution = evaluateRangeRequest(new Headers(requestHeaders), representation);
  const response = createRangeResponse(resolution, blob, representation);
  const text = await response.text();
  return { resolution, response, text, status: response.status, header: (name: string) => response.headers.get(name) };
}

describe('evaluateRangeRequest', () => {
  const representation: Representation = { sizeBytes: 1000, etag: '"v1"' };
  it.each<[Record<string, string>, RangeResolution]>([
    [{}, full],
    [{ 'If-Range': '"v1"' }, full],
    [{ Range: 'bytes=0-99' }, partial([0, 99])],
    [{ Range: 'bytes=0-99', 'If-Range': '"v1"' }, partial([0, 99])],
    [{ Range: 'bytes=0-99', 'If-Range': '"v2"' }, full],
    [{ Range: 'bytes=0-99', 'If-Range': 'W/"v1"' }, full],
    [{ Range: 'bytes=1000-', 'If-Range': '"v2"' }, full],
    [{ Range: 'bytes=1000-' }, unsatisfiable],
    [{ Range: 'items=0-99' }, full],
    [{ Range: 'bytes=0-99,x' }, full],
    [{ Range: 'bytes=99-0' }, full],
    [{ Range: '' }, full],
    [{ Range: 'bytes=0-0,500-500' }, partial([0, 0], [500, 500])],
  ])('%j', (headers, expected) => {
    expect(evaluateRangeRequest(new Headers(headers), representation)).toEqual(expected);
  });
});

/**
 * jshttp/range-parser @ b49e00f, test/range-parser.js (MIT): parse(size, header) => -2 malformed
 * (we answer 200), -1 unsatisfiable (416), or ranges (206). Rows after the 47 upstream calls are
 * the vector file's own additions.
 */
interface RangeParserRow {
  test?: string;
  size: number;
  header: string;
  options?: { combine?: boolean };
  expect?: { result?: number; throws?: string; type?: string; ranges?: { start: number; end: number }[] };
  range_parser_result?: number | { type: string; ranges: { start: number; end: number }[] };
}

describe('range-parser vectors', () => {
  const file = loadVector<{ vectors: RangeParserRow[]; not_in_upstream_suite_but_worth_testing: RangeParserRow[] }>(
    'range-parser.vectors.json',
  );
  const rows = [...file.vectors, ...file.not_in_upstream_suite_but_worth_testing];
  const keyOf = (row: RangeParserRow): string => `${row.size} ${row.header}`;

  const expectedDifferences: Record<string, { ours: RangeResolution; reason: string }> = {
    '200 (non-string {})': {
      ours: full,
      reason: 'our API takes a string; Headers coerce any value to one ("[object Object]", malformed)',
    },
    '200 bytes=500-20': { ours: full, reason: 'last-pos < first-pos is invalid, not unsatisfiable (§14.1.1): ignored, as Apache' },
    '200 bytes=abc-def,500-999': { ours: full, reason: 'one invalid range-spec invalidates the ranges-specifier' },
    '200 bytes=500-999,xyz-uvw': { ours: full, reason: 'one invalid range-spec invalidates the ranges-specifier' },
    '200 bytes=abc-def,500-999,xyz-uvw': { ours: full, reason: 'one invalid range-spec invalidates the ranges-specifier' },
    '1000 bytes=100-200,x-': { ours: full, reason: 'range-parser keeps the valid remainder; we ignore the invalid header' },
    '1000 bytes=x-,0-100,y-': { ours: full, reason: 'range-parser keeps the valid remainder; we ignore the invalid header' },
    '1000 bytes=0-50,abc-def,100-150': {
      ours: full,
      reason: 'range-parser keeps the valid remainder; we ignore the invalid header',
    },
    '1000 bytes=40-80,81-90,-1': { ours: partial([40, 90], [999, 999]), reason: 'adjacent ranges are coalesced' },
    '1000 bytes=   40-80 , 81-90 , -1 ': {
      ours: partial([40, 90], [999, 999]),
      reason: 'adjacent ranges are coalesced',
    },
    '1000 items=0-5': { ours: full, reason: 'RFC 9110 §14.2: a server MUST ignore a Range with an unknown unit' },
    '150 bytes=0-4,90-99,5-75,100-199,101-102': {
      ours: partial([0, 149]),
      reason: 'the 14-byte gap 76-89 is smaller than a part header, so it is coalesced too',
    },
    '150 bytes=-1,20-100,0-1,101-120': {
      ours: partial([0, 149]),
      reason: 'parts are sorted and gaps of 18 and 28 bytes coalesced; range-parser keeps request order',
    },
    '1000 bytes=-2000': { ours: partial([0, 999]), reason: 'RFC 9110 §14.1.2: a longer suffix selects the whole representation' },
    '0 bytes=-1': { ours: full, reason: 'zero-length representation: a satisfiable suffix with nothing to send => 200 empty' },
  };

  function rangeParserExpectation(row: RangeParserRow): RangeResolution {
    const result = row.range_parser_result ?? row.expect?.result ?? row.expect;
    if (result === -2) return full;
    if (result === -1) return unsatisfiable;
    if (typeof result === 'object' && result.type?.toLowerCase() === 'bytes' && result.ranges !== undefined) {
      return { kind: 'partial', ranges: result.ranges };
    }
    throw new Error(`row ${keyOf(row)} has no expectation we can map; list it in expectedDifferences`);
  }

  it('keys rows uniquely and lists no difference that is not a row', () => {
    const keys = rows.map(keyOf);
    expect(new Set(keys).size).toBe(keys.length);
    expect(Object.keys(expectedDifferences).filter((key) => !keys.includes(key))).toEqual([]);
    expect(rows).toHaveLength(56);
  });

  it.each(rows)('size $size, $header', (row) => {
    const header = row.header.startsWith('(non-string') ? String({}) : row.header;
    const ours = evaluateRangeRequest(new Headers({ Range: header }), { sizeBytes: row.size });
    const difference = expectedDifferences[keyOf(row)];
    expect(ours).toEqual(difference === undefined ? rangeParserExpectation(row) : difference.ours);
  });
});

/** Positions past 2^53 (test/vectors/huge-positions.json): answered by their value, never rounded. */
interface HugePositionRow {
  size: number;
  header: string;
  status: 200 | 206 | 416;
  range?: [number, number];
}

describe('huge position vectors', () => {
  const rows = loadVector<{ cases: HugePositionRow[] }>('huge-positions.json').cases;
  it.each(rows)('size $size, $header → $status', async (row) => {
    const body = 'x'.repeat(row.size);
    const { status, header } = await answer(body, { Range: row.header });
    expect(status).toBe(row.status);
    if (row.status === 206) {
      expect(header('Content-Range')).toBe(`bytes ${row.range![0]}-${row.range![1]}/${row.size}`);
      expect(header('Content-Length')).toBe(String(row.range![1] - row.range![0] + 1));
    }
    if (row.status === 416) expect(header('Content-Range')).toBe(`bytes */${row.size}`);
    if (row.status === 200) expect(header('Content-Length')).toBe(String(row.size));
  });
});

/** apache/httpd-tests, t/apache/byterange7.t and byterange.t (Apache-2.0). */
interface ApacheVectors {
  resource: { length: number };
  invalid_expect_200_full_body: { 'send_each_as_is_AND_with_bytes=_prefix': string[] };
  status_table: Record<string, number>;
  multi_range_content_length: { note: string };
  other_files: Record<string, string>;
}

describe('Apache byterange vectors', () => {
  const vectors = loadVector<ApacheVectors>('apache-byterange7.json');
  // '0001'..'9999' then '10000': the fixture's declared 40001 bytes.
  const body = Array.from({ length: 10000 }, (_, index) => String(index + 1).padStart(4, '0')).join('');
  it('builds the fixture at its declared length', () => expect(body.length).toBe(vectors.resource.length));

  const invalid = vectors.invalid_expect_200_full_body['send_each_as_is_AND_with_bytes=_prefix'].flatMap((value) => [
    value,
    `bytes=${value}`,
  ]);
  it.each(invalid)('invalid %j => 200 with the full body', async (range) => {
    const result = await answer(body, { Range: range });
    expect(result.status).toBe(200);
    expect(result.text).toBe(body);
    expect(result.header('Content-Range')).toBeNull();
  });

  it.each(Object.entries(vectors.status_table))('%s => %i', async (range, status) => {
    const result = await answer(body, { Range: range });
    expect(result.status).toBe(status);
    if (status === 416) expect(result.header('Content-Range')).toBe('bytes */40001');
  });

  it.each([1, 2, 10, 50, 100])('%i ranges of 2 bytes 100 apart => 206 shorter than the file', async (count) => {
    const range = 'bytes=' + Array.from({ length: count }, (_, i) => `${i * 100}-${i * 100 + 1}`).join(',');
    const result = await answer(body, { Range: range });
    expect(result.status).toBe(206);
    expect(result.resolution.kind === 'partial' && result.resolution.ranges.length).toBe(count);
    const length = new TextEncoder().encode(result.text).byteLength;
    expect(length).toBeLessThan(body.length);
    expect(result.header('Content-Length')).toBe(String(length));
  });

  it('byterange.t: walking the file in 8193-byte steps covers it exactly', async () => {
    expect(vectors.other_files['t/apache/byterange.t']).toContain('bytes=N-(N+8192)');
    let covered = 0;
    for (let first = 0; first < body.length; first += 8193) {
      const result = await answer(body, { Range: `bytes=${first}-${first + 8192}` });
      const contentRange = parseContentRange(result.header('Content-Range'));
      if (contentRange?.kind !== 'range') throw new Error(`no Content-Range for ${first}`);
      expect(result.text).toBe(body.slice(contentRange.start, contentRange.end + 1));
      covered += contentRange.end - contentRange.start + 1;
    }
    expect(covered).toBe(body.length);
  });

  it('lists the server-config-specific files as not portable', () => {
    // maxranges.t and byterange2-6.t test httpd's MaxRanges directive and output filters.
    expect(Object.keys(vectors.other_files)).toEqual(['t/apache/byterange.t', 't/apache/maxranges.t, byterange2-6.t']);
  });
});

/** nginx/nginx-tests @ 76bb761, range.t (BSD-2-Clause). */
interface NginxVectors {
  cases: {
    request: { Range: string };
    expect: { status: number; headers?: Record<string, string>; body?: string };
  }[];
}

describe('nginx range.t vectors', () => {
  const vectors = loadVector<NginxVectors>('nginx-range.t.json');
  const body = Array.from({ length: 100 }, (_, i) => `X${String(i).padStart(3, '0')}XXXXXX`).join('');

  const expectedDifferences: Record<string, { ours: RangeResolution; reason: string }> = {
    'bytes=0-9, -10, 10-19': {
      ours: partial([0, 19], [990, 999]),
      reason: 'adjacent 0-9 and 10-19 coalesce and parts are sorted; nginx sends three parts in request order',
    },
    'bytes=0-9, -10, 100000-, 10-19': {
      ours: partial([0, 19], [990, 999]),
      reason: 'as above, after dropping the unsatisfiable 100000-',
    },
    'bytes=alpha': { ours: full, reason: 'invalid syntax is ignored (200), nginx rejects it (416)' },
    'bytes=10-alpha': { ours: full, reason: 'invalid syntax is ignored (200), nginx rejects it (416)' },
    'bytes=10': { ours: full, reason: 'invalid syntax is ignored (200), nginx rejects it (416)' },
    'bytes=10-11 12-': { ours: full, reason: 'invalid syntax is ignored (200), nginx rejects it (416)' },
    'bytes=0-10001, 0-0': {
      ours: partial([0, 999]),
      reason: 'overlapping ranges coalesce into one part; nginx refuses ranges summing past the size',
    },
  };

  it('lists no difference that is not a row', () => {
    const ranges = vectors.cases.map((row) => row.request.Range);
    expect(Object.keys(expectedDifferences).filter((range) => !ranges.includes(range))).toEqual([]);
  });

  it.each(vectors.cases)('$request.Range => $expect.status', async (row) => {
    const result = await answer(body, { Range: row.request.Range });
    const difference = expectedDifferences[row.request.Range];
    if (difference !== undefined) {
      expect(result.resolution).toEqual(difference.ours);
      return;
    }
    expect(result.status).toBe(row.expect.status);
    for (const [name, value] of Object.entries(row.expect.headers ?? {})) {
      if (value.endsWith('<any>')) expect(result.header(name)).toMatch(value.replace('<any>', ''));
      else expect(result.header(name)).toBe(value);
    }
    if (row.expect.body !== undefined) expect(result.text).toBe(row.expect.body);
  });

  it('multipart rows still get a multipart/byteranges 206', async () => {
    const result = await answer(body, { Range: 'bytes=0-9, -10, 10-19' });
    expect(result.status).toBe(206);
    expect(result.header('Content-Type')).toMatch(/^multipart\/byteranges; boundary=/);
    expect(result.text).toContain('Content-Range: bytes 0-19/1000\r\n\r\n' + body.slice(0, 20));
    expect(result.text).toContain('Content-Range: bytes 990-999/1000\r\n\r\n' + body.slice(990));
  });
});

/** pillarjs/send @ 092f3fc test/send.js and expressjs/serve-static @ 74be78a (MIT), on "123456789". */
interface SendVectors {
  also_expected_on_every_response: Record<string, string>;
  cases: {
    it: string;
    request: Record<string, string>;
    expect: { status: number; body?: string; headers?: Record<string, string>; headers_absent?: string[] };
  }[];
}

describe('send / serve-static vectors', () => {
  const vectors = loadVector<SendVectors>('send-serve-static.206.json');
  const body = '123456789';
  const validators = { etag: '"v1"', lastModified: 'Wed, 21 Oct 2015 07:28:00 GMT' };
  const placeholders: Record<string, string> = {
    '<ETag of current representation>': '"v1"',
    '<a different strong ETag>': '"v2"',
    '<Last-Modified of current representation>': validators.lastModified,
    '<Last-Modified minus 20 s, as HTTP-date>': 'Wed, 21 Oct 2015 07:27:40 GMT',
  };
  const expectedDifferences: Record<string, { status: number; body: string; contentRange: string; reason: string }> = {
    'multiple ranges: should respond with 200 and the entire contents': {
      status: 206,
      body: '23456789',
      contentRange: 'bytes 1-8/9',
      reason: 'the one-byte gap between 1-1 and 3- is cheaper sent than a second part, so we coalesce; send answers 200',
    },
  };

  it.each(vectors.cases)('$it', async (row) => {
    const request = Object.fromEntries(
      Object.entries(row.request).map(([name, value]) => [name, placeholders[value] ?? value]),
    );
    const result = await answer(body, request, validators);
    for (const [name, value] of Object.entries(vectors.also_expected_on_every_response)) {
      expect(result.header(name)).toBe(value);
    }
    const difference = expectedDifferences[row.it];
    if (difference !== undefined) {
      expect([result.status, result.text, result.header('Content-Range')]).toEqual([
        difference.status,
        difference.body,
        difference.contentRange,
      ]);
      return;
    }
    expect(result.status).toBe(row.expect.status);
    if (row.expect.body !== undefined) expect(result.text).toBe(row.expect.body);
    for (const [name, value] of Object.entries(row.expect.headers ?? {})) expect(result.header(name)).toBe(value);
    for (const name of row.expect.headers_absent ?? []) expect(result.header(name)).toBeNull();
  });
});

/**
 * web-platform-tests/wpt fetch/range/blob.any.js (3-Clause BSD): browsers' single-range parser.
 * "Supported" rows are 206 expectations; "network error" rows map to 200 (invalid, ignored) or 416.
 */
interface BlobVectors {
  supported: {
    name: string;
    data: string;
    range: string;
    expect: { status: number; 'Content-Length': string; 'Content-Range': string; body: string };
  }[];
  unsupported_network_error: { name: string; data: string; range: string }[];
}

describe('wpt fetch/range/blob.any.js vectors', () => {
  const vectors = loadVector<BlobVectors>('wpt-fetch-range-blob.json');

  it.each(vectors.supported)('$name', async (row) => {
    const result = await answer(row.data, { Range: row.range });
    expect(result.status).toBe(row.expect.status);
    expect(result.header('Content-Length')).toBe(row.expect['Content-Length']);
    expect(result.header('Content-Range')).toBe(row.expect['Content-Range']);
    expect(result.header('Content-Type')).toBe('text/plain');
    expect(result.text).toBe(row.expect.body);
  });

  // Fetch supports one range only; an HTTP server may serve a range-set (RFC 9110 §14.1.1).
  const expectedDifferences: Record<string, { ours: RangeResolution; reason: string }> = {
    'bytes=0-5,15-': { ours: partial([0, 42]), reason: 'range-set, 9-byte gap coalesced into one 206' },
    'bytes=0-5, 15-': { ours: partial([0, 42]), reason: 'range-set, 9-byte gap coalesced into one 206' },
    'bytes=0-5,': { ours: partial([0, 5]), reason: 'RFC 9110 §5.6.1.2: an empty list element is ignored' },
  };
  const unsatisfiableRows = new Set(['bytes=100000-', 'bytes=13-']);

  it.each(vectors.unsupported_network_error)('$name: $range', async (row) => {
    const result = await answer(row.data, { Range: row.range });
    const difference = expectedDifferences[row.range];
    if (difference !== undefined) {
      expect(result.resolution).toEqual(difference.ours);
    } else if (unsatisfiableRows.has(row.range)) {
      expect(result.status).toBe(416);
      expect(result.header('Content-Range')).toBe(`bytes */${row.data.length}`);
    } else {
      expect(result.status).toBe(200);
      expect(result.text).toBe(row.data);
    }
  });
});

/**
 * http-tests/cache-tests @ b55b8bd, tests/partial.mjs (BSD-3-Clause). Only the range arithmetic is
 * pure; storing and reusing is the cache engine's job. Rows whose stored 206 contradicts itself are
 * asserted to be detectable, so the engine can refuse them (the suite's own recommendation).
 */
interface CacheTestRequest {
  request_headers?: [string, string][];
  response_status?: [number, string];
  response_headers?: [string, string][];
  response_body?: string;
  expected_status?: number;
  expected_response_text?: string;
  expected_response_headers?: [string, string][];
  expected_request_headers?: [string, string][];
}
interface CacheTest {
  id: string;
  requests: CacheTestRequest[];
}

describe('cache-tests partial vectors', () => {
  const tests = loadVector<{ tests: CacheTest[] }>('cache-tests-partial.json').tests;
  const header = (pairs: [string, string][] | undefined, name: string): string | undefined =>
    pairs?.find(([key]) => key.toLowerCase() === name.toLowerCase())?.[1];
  const storedFromPartial = new Set([
    'partial-store-partial-reuse-partial',
    'partial-store-partial-reuse-partial-byterange',
    'partial-store-partial-reuse-partial-absent',
    'partial-store-partial-reuse-partial-suffix',
    'partial-store-partial-complete',
  ]);

  it('covers all ten tests', () => expect(tests).toHaveLength(10));

  it.each(tests)('$id', async ({ id, requests }) => {
    const [stored, reuse] = requests;
    if (stored === undefined || reuse === undefined) throw new Error(`${id} needs two requests`);
    const body = stored.response_body ?? '';
    const asked = header(stored.request_headers, 'Range');

    if (storedFromPartial.has(id)) {
      // The stored 206 must match what was asked and its own body; these fixtures do not.
      const contentRange = parseContentRange(header(stored.response_headers, 'Content-Range') ?? null);
      if (contentRange?.kind !== 'range' || contentRange.sizeBytes === undefined) throw new Error(id);
      const parsed = parseRangeHeader(asked ?? '');
      if (!parsed.ok) throw new Error(id);
      const requested = resolveRanges(parsed.specs, contentRange.sizeBytes);
      const spanMatchesBody = contentRange.end - contentRange.start + 1 === body.length;
      const matchesRequest =
        requested.kind === 'partial' &&
        requested.ranges[0]?.start === contentRange.start &&
        requested.ranges[0]?.end === contentRange.end;
      expect(spanMatchesBody && matchesRequest).toBe(false);
      return;
    }

    // Stored complete 200: answering the range is pure.
    const result = await answer(body, { Range: header(reuse.request_headers, 'Range') ?? '' });
    expect(result.status).toBe(reuse.expected_status);
    expect(result.text).toBe(reuse.expected_response_text);
    // Stored headers survive into the 206: the engine passes them as extraHeaders.
    for (const [name, value] of reuse.expected_response_headers ?? []) {
      const blob = new Blob([body]);
      const representation = { sizeBytes: blob.size };
      const response = createRangeResponse(
        evaluateRangeRequest(new Headers(reuse.request_headers), representation),
        blob,
        representation,
        stored.response_headers,
      );
      expect(response.headers.get(name)).toBe(value);
    }
    expect(statusOf(result.resolution)).toBe(206);
  });
});
