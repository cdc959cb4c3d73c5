import 'fake-indexeddb/auto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { MediaCacheConfig } from '../config.js';
import { MAX_RANGE_PARTS, MIN_MULTIPART_PART_OVERHEAD_BYTES } from '../range/resolveRanges.js';
import type { ByteRange } from '../range/types.js';
import { MediaDatabase } from '../store/MediaDatabase.js';
import type { Validator } from '../store/schema.js';
import { SegmentStore, type FileHead } from '../store/SegmentStore.js';
import { RangeCache } from './RangeCache.js';
import { storedSegmentIndices } from '../store/segmentBitmap.js';
import { segmentBlob } from '../store/segmentValues.js';

/*
 * Property-based tests of the range engine (RangeCache.handle) against a simple reference.
 *
 * Each generated case is a small file (0 to ~68 KiB), a small configuration (segments of 1000 to
 * 4096 bytes, windows of 1 to 4 segments, small write units and read-ahead), a random subset of
 * its segments stored beforehand (or no record at all), an origin behaviour (which validators it
 * sends, if any; whether it honours Range; how it chunks its bodies) and one to three requests
 * with random Range / If-Range headers, made one after another or all at once, each read whole or
 * cancelled part way. For every answer:
 *
 *  - status, Content-Range, Content-Length, Content-Type, Accept-Ranges, ETag, Last-Modified and
 *    the body equal what the reference says (multipart bodies are parsed, not compared as bytes,
 *    because the boundary is random; a cancelled body must be a prefix of the expected one);
 *  - what is stored afterwards is valid: every stored segment holds exactly the file's bytes, the
 *    file record (in IndexedDB and in the store's in-memory mirror) lists exactly the stored
 *    segments, nothing stored beforehand was lost;
 *  - every upstream request is a fresh `cache: 'no-store'` request for one segment-aligned range
 *    no longer than `maxFetchWindowBytes`, with the right If-Range if any, and never asks for a
 *    segment that was already stored; an answer whose segments were all stored makes none.
 *
 * THE REFERENCE is a tiny evaluator written here, independent of src/lib/range/: the generator
 * produces range-specs as data and renders them into a header, so the reference evaluates the
 * specs themselves (clamp, drop the unsatisfiable, sort, coalesce, count) and never parses the
 * header the engine parses. That way a bug in parseRangeHeader / resolveRanges / ifRange shows up
 * here too instead of being copied into the expectation. It follows RFC 9110 and the choices the
 * README documents ("Range semantics: the choices"): an invalid Range or an unknown unit is
 * ignored (200), all-unsatisfiable is 416, a failed If-Range is 200, ranges closer than one part
 * header are coalesced, more than MAX_RANGE_PARTS parts is a 200, a non-zero suffix of an empty
 * file is a 200. Only those two numbers (the coalescing gap and the part limit) are imported from
 * the library, as the policy's parameters. Generated syntax stays within RFC 9110 (list OWS,
 * empty list elements, case-insensitive unit), not the Fetch leniencies the parser also accepts.
 *
 * THE ORIGIN is a second tiny implementation: a stubbed global `fetch` that serves the file with
 * RFC 9110 semantics for a single range (206 / 416 with `bytes *\/size` and no representation
 * headers, as `send` answers / 200 when Range is absent, invalid, multiple or its If-Range
 * fails), a strong ETag and/or Last-Modified (or, in some cases, no validator: nothing may then
 * be stored), Content-Type, Accept-Ranges and Content-Length, with the body cut into chunks of a
 * generated size, honouring the request's abort signal. Some origins ignore Range altogether and
 * always send a 200 (§14.2 allows it).
 *
 * File bytes are a mixing function of the position and a per-case salt rather than something
 * like (i * 31 + 7) & 255: that repeats every 256 bytes, and segment sizes are often multiples of
 * 256, so a segment served or stored in place of another would go unnoticed.
 *
 * KNOWN_COUNTEREXAMPLES below are minimal cases this property found that the engine gets wrong;
 * they run first, so the property fails on them until the engine is fixed (then they stay as
 * regression cases).
 *
 * Replay a failure with RANGE_PROPERTY_SEED=<seed> (and RANGE_PROPERTY_PATH=<path>); change the
 * number of cases with RANGE_PROPERTY_RUNS.
 */

const RUNS = Number(process.env.RANGE_PROPERTY_RUNS ?? 300);
const SEED = process.env.RANGE_PROPERTY_SEED === undefined ? undefined : Number(process.env.RANGE_PROPERTY_SEED);
const PATH = process.env.RANGE_PROPERTY_PATH;

// ---------------------------------------------------------------------------------------------
// The generated case

type Spec = { kind: 'bounded'; first: number; last: number } | { kind: 'from'; first: number } | { kind: 'suffix'; length: number };

type RangeCase =
  | { kind: 'none' }
  /** Specs rendered as `unit=` + leading + specs joined by separators + trailing. */
  | { kind: 'valid'; unit: string; specs: Spec[]; separators: string[]; leading: string; trailing: string }
  /** Not a valid `bytes` ranges-specifier: to be ignored. */
  | { kind: 'invalid'; header: string };

type IfRangeCase = 'none' | 'etag' | 'other-etag' | 'weak-etag' | 'last-modified' | 'other-date' | 'garbage';

interface RequestCase {
  range: RangeCase;
  ifRange: IfRangeCase;
  /** Read the whole body, or cancel it after at least this many bytes. */
  cancelAfter: number | undefined;
}

interface Case {
  config: MediaCacheConfig;
  /** RangeCache's `lendChunks`: the test reads bodies as the browser does (copying) when set, else keeps the chunks. */
  lendChunks: boolean;
  sizeBytes: number;
  salt: number;
  /** What the origin identifies versions by; with none, nothing can be stored. */
  validators: 'etag' | 'last-modified' | 'both' | 'none';
  /** An origin that ignores Range and always sends the whole file (RFC 9110 §14.2 allows it). */
  ignoresRange: boolean;
  contentType: string;
  /** Size of the chunks the origin's bodies arrive in. */
  chunkBytes: number;
  /** Whether a file record exists beforehand (always, when a segment is stored). */
  record: boolean;
  stored: number[];
  requests: RequestCase[];
  concurrent: boolean;
}

function segmentCount(sizeBytes: number, segmentSizeBytes: number): number {
  return Math.ceil(sizeBytes / segmentSizeBytes);
}

/** Positions biased to the interesting places: 0, segment boundaries ± 1, the end ± 1, past the end. */
function positionArb(sizeBytes: number, segmentSizeBytes: number): fc.Arbitrary<number> {
  const segments = segmentCount(sizeBytes, segmentSizeBytes);
  return fc.oneof(
    { weight: 3, arbitrary: fc.integer({ min: 0, max: sizeBytes + segmentSizeBytes }) },
    {
      weight: 2,
      arbitrary: fc
        .tuple(fc.integer({ min: 0, max: segments + 1 }), fc.integer({ min: -1, max: 1 }))
        .map(([index, delta]) => Math.max(0, index * segmentSizeBytes + delta)),
    },
    { weight: 1, arbitrary: fc.constantFrom(0, 1, sizeBytes - 1, sizeBytes, sizeBytes + 1).map((p) => Math.max(0, p)) },
  );
}

function specArb(sizeBytes: number, segmentSizeBytes: number): fc.Arbitrary<Spec> {
  const position = positionArb(sizeBytes, segmentSizeBytes);
  return fc.oneof(
    { weight: 4, arbitrary: fc.tuple(position, position).map(([a, b]): Spec => ({ kind: 'bounded', first: Math.min(a, b), last: Math.max(a, b) })) },
    { weight: 2, arbitrary: position.map((first): Spec => ({ kind: 'from', first })) },
    {
      weight: 2,
      arbitrary: fc
        .oneof(fc.integer({ min: 0, max: sizeBytes + segmentSizeBytes }), fc.constantFrom(0, 1, sizeBytes, sizeBytes + 1))
        .map((length): Spec => ({ kind: 'suffix', length })),
    },
  );
}

/** Many small ranges about one part header apart: exercises coalescing and the part limit. */
function manyRangesArb(sizeBytes: number): fc.Arbitrary<Spec[]> {
  return fc
    .record({
      count: fc.integer({ min: MAX_RANGE_PARTS - 5, max: MAX_RANGE_PARTS + 5 }),
      stride: fc.integer({ min: MIN_MULTIPART_PART_OVERHEAD_BYTES - 1, max: MIN_MULTIPART_PART_OVERHEAD_BYTES + 8 }),
      length: fc.integer({ min: 1, max: 3 }),
      offset: fc.integer({ min: 0, max: Math.max(0, sizeBytes - 1) }),
    })
    .map(({ count, stride, length, offset }) =>
      Array.from({ length: count }, (_, i): Spec => ({ kind: 'bounded', first: offset + i * stride, last: offset + i * stride + length - 1 })),
    );
}

function validRangeArb(sizeBytes: number, segmentSizeBytes: number): fc.Arbitrary<RangeCase> {
  const specs = fc.oneof(
    { weight: 6, arbitrary: fc.array(specArb(sizeBytes, segmentSizeBytes), { minLength: 1, maxLength: 1 }) },
    { weight: 4, arbitrary: fc.array(specArb(sizeBytes, segmentSizeBytes), { minLength: 2, maxLength: 6 }) },
    { weight: 1, arbitrary: manyRangesArb(sizeBytes) },
  );
  return specs.chain((list) =>
    fc.record({
      kind: fc.constant('valid' as const),
      // RFC 9110 §14.1: range units are case-insensitive.
      unit: fc.constantFrom('bytes', 'bytes', 'bytes', 'Bytes', 'BYTES'),
      specs: fc.constant(list),
      // RFC 9110 §5.6.1: OWS around list commas, empty list elements.
      separators: fc.array(fc.constantFrom(',', ',', ', ', ' ,', ',\t', ', ,', ',,'), { minLength: list.length - 1, maxLength: list.length - 1 }),
      leading: fc.constantFrom('', '', '', ',', ', '),
      trailing: fc.constantFrom('', '', '', ',', ' ,', ', '),
    }),
  );
}

function invalidRangeArb(sizeBytes: number, segmentSizeBytes: number): fc.Arbitrary<RangeCase> {
  const position = positionArb(sizeBytes, segmentSizeBytes);
  return fc
    .oneof(
      // last-pos < first-pos makes the range-spec invalid (RFC 9110 §14.1.1).
      fc.tuple(position, position).filter(([a, b]) => a !== b).map(([a, b]) => `bytes=${Math.max(a, b)}-${Math.min(a, b)}`),
      fc.tuple(position, position).filter(([a, b]) => a !== b).map(([a, b]) => `bytes=0-1,${Math.max(a, b)}-${Math.min(a, b)}`),
      fc.constantFrom(
        'bytes',
        'bytes=',
        'bytes=-',
        'bytes=,',
        'bytes= , ',
        '=0-1',
        'bytes 0-1',
        'bytes:0-1',
        'bytes=0-1-2',
        'bytes=a-b',
        'bytes=0x10-0x20',
        'bytes=-0x5',
        'bytes=+1-2',
        'bytes=1.5-3',
        'bytes=0-1;2-3',
        'bytes=--5',
        'bytes=1 2-3',
        'bytes=0-1,x',
        'bytes=0-1,-',
        // An unknown unit must be ignored (RFC 9110 §14.2).
        'items=0-1',
        'bits=0-7',
        'none',
      ),
    )
    .map((header): RangeCase => ({ kind: 'invalid', header }));
}

function requestArb(sizeBytes: number, segmentSizeBytes: number): fc.Arbitrary<RequestCase> {
  return fc.record({
    range: fc.oneof(
      { weight: 2, arbitrary: fc.constant<RangeCase>({ kind: 'none' }) },
      { weight: 12, arbitrary: validRangeArb(sizeBytes, segmentSizeBytes) },
      { weight: 3, arbitrary: invalidRangeArb(sizeBytes, segmentSizeBytes) },
    ),
    ifRange: fc.oneof(
      { weight: 10, arbitrary: fc.constant<IfRangeCase>('none') },
      { weight: 3, arbitrary: fc.constantFrom<IfRangeCase>('etag', 'other-etag', 'weak-etag', 'last-modified', 'other-date', 'garbage') },
    ),
    cancelAfter: fc.oneof({ weight: 5, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: sizeBytes + 200 }) }),
  });
}

const caseArb: fc.Arbitrary<Case> = fc
  .record({
    segmentSizeBytes: fc.oneof(fc.constantFrom(1024, 2048, 4096), fc.integer({ min: 1000, max: 4096 })),
    windowSegments: fc.integer({ min: 1, max: 4 }),
    maxWindowFactor: fc.integer({ min: 1, max: 4 }),
    rangeWriteBytes: fc.integer({ min: 100, max: 8192 }),
    fullWriteBytes: fc.integer({ min: 100, max: 16384 }),
    readAheadBytes: fc.integer({ min: 1, max: 12288 }),
    recentSegmentsKept: fc.integer({ min: 0, max: 4 }),
    lendChunks: fc.boolean(),
  })
  .chain((c) => {
    const segment = c.segmentSizeBytes;
    const config: MediaCacheConfig = {
      segmentSizeBytes: segment,
      rangeWriteBytes: c.rangeWriteBytes,
      fullWriteBytes: c.fullWriteBytes,
      readAheadBytes: c.readAheadBytes,
      fetchWindowBytes: c.windowSegments * segment,
      maxFetchWindowBytes: c.windowSegments * c.maxWindowFactor * segment,
      recentSegmentsKept: c.recentSegmentsKept,
    };
    const sizeArb = fc.oneof(
      { weight: 1, arbitrary: fc.constant(0) },
      { weight: 2, arbitrary: fc.integer({ min: 1, max: segment - 1 }) },
      { weight: 3, arbitrary: fc.integer({ min: 1, max: 16 }).map((n) => n * segment) },
      { weight: 6, arbitrary: fc.tuple(fc.integer({ min: 1, max: 16 }), fc.integer({ min: 1, max: segment - 1 })).map(([n, rest]) => n * segment + rest) },
    );
    return sizeArb.chain((sizeBytes) => {
      const segments = segmentCount(sizeBytes, segment);
      return fc.record({
        config: fc.constant(config),
        lendChunks: fc.constant(c.lendChunks),
        sizeBytes: fc.constant(sizeBytes),
        salt: fc.integer({ min: 0, max: 0xffff }),
        validators: fc.constantFrom('etag' as const, 'etag' as const, 'last-modified' as const, 'both' as const, 'none' as const),
        ignoresRange: fc.oneof({ weight: 6, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
        contentType: fc.constantFrom('video/mp4', 'audio/ogg; codecs=opus'),
        chunkBytes: fc.integer({ min: 97, max: 9000 }),
        record: fc.boolean(),
        stored: fc.oneof(
          fc.constant<number[]>([]),
          fc.subarray(Array.from({ length: segments }, (_, i) => i)),
          fc.constant(Array.from({ length: segments }, (_, i) => i)),
        ),
        requests: fc.array(requestArb(sizeBytes, segment), { minLength: 1, maxLength: 3 }),
        concurrent: fc.boolean(),
      });
    });
  })
  // Without a validator nothing is storable: no record, no segments beforehand.
  .map((c) => (c.validators === 'none' ? { ...c, record: false, stored: [] } : { ...c, record: c.record || c.stored.length > 0 }));

// ---------------------------------------------------------------------------------------------
// The file, its headers, the reference answer

function fileBytes(sizeBytes: number, salt: number): Uint8Array {
  const bytes = new Uint8Array(sizeBytes);
  for (let i = 0; i < sizeBytes; i += 1) {
    let x = Math.imul(i ^ (salt << 16), 0x9e3779b1) >>> 0;
    x = Math.imul(x ^ (x >>> 15), 0x85ebca6b) >>> 0;
    bytes[i] = (x ^ (x >>> 13)) & 255;
  }
  return bytes;
}

const LAST_MODIFIED = 'Tue, 15 Nov 1994 08:12:31 GMT';
const OTHER_DATE = 'Wed, 16 Nov 1994 08:12:31 GMT';

function validatorFor(c: Case): Validator {
  const etag = `"v1-${c.sizeBytes}-${c.salt}"`;
  if (c.validators === 'etag') return { etag };
  if (c.validators === 'last-modified') return { lastModified: LAST_MODIFIED };
  if (c.validators === 'none') return {};
  return { etag, lastModified: LAST_MODIFIED };
}

function ifRangeHeader(ifRange: IfRangeCase, validator: Validator): string | undefined {
  switch (ifRange) {
    case 'none':
      return undefined;
    case 'etag':
      return validator.etag ?? '"no-etag-here"';
    case 'other-etag':
      return '"something-else"';
    case 'weak-etag':
      return `W/${validator.etag ?? '"x"'}`;
    case 'last-modified':
      return LAST_MODIFIED;
    case 'other-date':
      return OTHER_DATE;
    case 'garbage':
      return 'not a validator';
  }
}

function renderRange(range: RangeCase): string | undefined {
  if (range.kind === 'none') return undefined;
  if (range.kind === 'invalid') return range.header;
  const specs = range.specs.map((spec) =>
    spec.kind === 'bounded' ? `${spec.first}-${spec.last}` : spec.kind === 'from' ? `${spec.first}-` : `-${spec.length}`,
  );
  let text = specs[0]!;
  for (let i = 1; i < specs.length; i += 1) text += range.separators[i - 1]! + specs[i]!;
  return `${range.unit}=${range.leading}${text}${range.trailing}`;
}

type Expected = { status: 200 } | { status: 416 } | { status: 206; ranges: ByteRange[] };

/** The reference: RFC 9110 plus the README's documented choices, evaluated on the specs as data. */
function expectedAnswer(request: RequestCase, sizeBytes: number, validator: Validator): Expected {
  const range = request.range;
  if (range.kind === 'none') return { status: 200 };
  // §13.1.5: If-Range is evaluated only with a Range; a strong ETag compares strongly (a weak one
  // never matches), a date must equal Last-Modified exactly. A failed condition means "all of it".
  const ifRange = ifRangeHeader(request.ifRange, validator);
  if (ifRange !== undefined) {
    const holds = ifRange.startsWith('"') ? ifRange === validator.etag : ifRange.startsWith('W/') ? false : ifRange === validator.lastModified;
    if (!holds) return { status: 200 };
  }
  if (range.kind === 'invalid') return { status: 200 };
  if (sizeBytes === 0) return range.specs.some((s) => s.kind === 'suffix' && s.length > 0) ? { status: 200 } : { status: 416 };
  const ranges: ByteRange[] = [];
  for (const spec of range.specs) {
    if (spec.kind === 'suffix') {
      if (spec.length > 0) ranges.push({ start: Math.max(0, sizeBytes - spec.length), end: sizeBytes - 1 });
    } else if (spec.first < sizeBytes) {
      ranges.push({ start: spec.first, end: spec.kind === 'from' ? sizeBytes - 1 : Math.min(spec.last, sizeBytes - 1) });
    }
  }
  if (ranges.length === 0) return { status: 416 };
  ranges.sort((a, b) => a.start - b.start || a.end - b.end);
  const merged: ByteRange[] = [];
  for (const next of ranges) {
    const last = merged[merged.length - 1];
    if (last && next.start - last.end - 1 < MIN_MULTIPART_PART_OVERHEAD_BYTES) last.end = Math.max(last.end, next.end);
    else merged.push({ ...next });
  }
  if (merged.length > MAX_RANGE_PARTS) return { status: 200 };
  return { status: 206, ranges: merged };
}

/** The segments an answer needs (all of the file for a 200). */
function neededSegments(expected: Expected, sizeBytes: number, segmentSizeBytes: number): number[] {
  const ranges = expected.status === 206 ? expected.ranges : expected.status === 200 && sizeBytes > 0 ? [{ start: 0, end: sizeBytes - 1 }] : [];
  const indices = new Set<number>();
  for (const { start, end } of ranges) {
    for (let i = Math.floor(start / segmentSizeBytes); i <= Math.floor(end / segmentSizeBytes); i += 1) indices.add(i);
  }
  return [...indices];
}

// ---------------------------------------------------------------------------------------------
// The reference origin

interface UpstreamRequest {
  url: string;
  range: string | null;
  ifRange: string | null;
  cache: RequestCache;
  method: string;
  status: number;
}

class Origin {
  readonly requests: UpstreamRequest[] = [];
  bytesSent = 0;

  constructor(
    readonly url: string,
    readonly bytes: Uint8Array,
    readonly validator: Validator,
    readonly contentType: string,
    readonly chunkBytes: number,
    readonly ignoresRange: boolean,
  ) {}

  async fetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
    const request = new Request(input, init);
    const record: UpstreamRequest = {
      url: request.url,
      range: request.headers.get('Range'),
      ifRange: request.headers.get('If-Range'),
      cache: request.cache,
      method: request.method,
      status: 0,
    };
    this.requests.push(record);
    await Promise.resolve();
    if (request.signal.aborted) throw new DOMException('The operation was aborted.', 'AbortError');
    if (request.url !== this.url) return new Response('not found', { status: (record.status = 404) });

    const size = this.bytes.byteLength;
    const headers = new Headers({ 'Accept-Ranges': 'bytes', 'Content-Type': this.contentType });
    if (this.validator.etag) headers.set('ETag', this.validator.etag);
    if (this.validator.lastModified) headers.set('Last-Modified', this.validator.lastModified);

    let selected: ByteRange | 'full' | 'unsatisfiable' = 'full';
    if (record.range !== null && !this.ignoresRange && this.ifRangeHolds(record.ifRange)) selected = this.select(record.range, size);
    if (selected === 'unsatisfiable') {
      record.status = 416;
      return new Response(null, { status: 416, headers: { 'Accept-Ranges': 'bytes', 'Content-Range': `bytes */${size}` } });
    }
    const { start, end } = selected === 'full' ? { start: 0, end: size - 1 } : selected;
    headers.set('Content-Length', String(end - start + 1));
    if (selected !== 'full') headers.set('Content-Range', `bytes ${start}-${end}/${size}`);
    record.status = selected === 'full' ? 200 : 206;
    return new Response(this.body(start, end + 1, request.signal), { status: record.status, headers });
  }

  private ifRangeHolds(ifRange: string | null): boolean {
    if (ifRange === null) return true;
    if (ifRange.startsWith('"')) return ifRange === this.validator.etag;
    if (ifRange.startsWith('W/')) return false;
    return ifRange === this.validator.lastModified;
  }

  /** One range-spec; anything else (several, invalid) is ignored, which RFC 9110 §14.2 allows. */
  private select(range: string, size: number): ByteRange | 'full' | 'unsatisfiable' {
    const match = /^bytes=(\d*)-(\d*)$/.exec(range);
    if (!match || (match[1] === '' && match[2] === '')) return 'full';
    if (match[1] === '') {
      const length = Number(match[2]);
      if (length === 0 || size === 0) return 'unsatisfiable';
      return { start: Math.max(0, size - length), end: size - 1 };
    }
    const first = Number(match[1]);
    const last = match[2] === '' ? Number.POSITIVE_INFINITY : Number(match[2]);
    if (last < first) return 'full';
    if (first >= size) return 'unsatisfiable';
    return { start: first, end: Math.min(last, size - 1) };
  }

  private body(start: number, end: number, signal: AbortSignal): ReadableStream<Uint8Array> {
    let position = start;
    let onAbort: (() => void) | undefined;
    return new ReadableStream<Uint8Array>({
      start: (controller) => {
        onAbort = () => controller.error(new DOMException('The operation was aborted.', 'AbortError'));
        signal.addEventListener('abort', onAbort, { once: true });
      },
      pull: (controller) => {
        if (position >= end) {
          signal.removeEventListener('abort', onAbort!);
          controller.close();
          return;
        }
        const next = Math.min(end, position + this.chunkBytes);
        // A fresh buffer per chunk, as the network gives.
        controller.enqueue(this.bytes.slice(position, next));
        this.bytesSent += next - position;
        position = next;
      },
      cancel: () => signal.removeEventListener('abort', onAbort!),
    });
  }
}

let origin: Origin | undefined;

beforeAll(() => {
  // The engine's development log (console.debug under __DEV__) would print every upstream request.
  vi.spyOn(console, 'debug').mockImplementation(() => undefined);
  vi.stubGlobal('fetch', (input: RequestInfo | URL, init?: RequestInit) => {
    if (!origin) throw new Error('no origin for this case');
    return origin.fetch(input, init);
  });
});

afterAll(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

// ---------------------------------------------------------------------------------------------
// Reading and checking answers

/**
 * Reads a body as the browser does when `copiesChunks` (each chunk copied before the next read, as
 * lent chunks require), else keeping the chunks themselves, as `Response.arrayBuffer()` in Node does.
 */
async function readBody(response: Response, cancelAfter: number | undefined, copiesChunks: boolean): Promise<{ bytes: Uint8Array; complete: boolean }> {
  if (!copiesChunks && (cancelAfter === undefined || !response.body)) return { bytes: new Uint8Array(await response.arrayBuffer()), complete: true };
  if (!response.body) return { bytes: new Uint8Array(0), complete: true };
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let received = 0;
  for (;;) {
    if (cancelAfter !== undefined && received >= cancelAfter) {
      await reader.cancel();
      break;
    }
    const { done, value } = await reader.read();
    if (done) return { bytes: concat(chunks), complete: true };
    chunks.push(copiesChunks ? value.slice() : value);
    received += value.byteLength;
  }
  return { bytes: concat(chunks), complete: false };
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.byteLength, 0));
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

function latin1(bytes: Uint8Array): string {
  let text = '';
  for (let i = 0; i < bytes.length; i += 4096) text += String.fromCharCode(...bytes.subarray(i, i + 4096));
  return text;
}

interface Part {
  headers: Map<string, string>;
  bytes: Uint8Array;
}

/** The boundary parameter of a multipart/byteranges Content-Type, checked against RFC 2046 §5.1.1. */
function boundaryOf(contentType: string | null): string {
  const match = /^multipart\/byteranges\s*;\s*boundary=("?)([^";]+)\1\s*$/i.exec(contentType ?? '');
  if (!match) throw new Error(`not a multipart/byteranges Content-Type: ${contentType}`);
  const boundary = match[2]!;
  if (!/^[0-9A-Za-z'()+_,\-./:=? ]{0,69}[0-9A-Za-z'()+_,\-./:=?]$/.test(boundary)) throw new Error(`invalid boundary: ${boundary}`);
  return boundary;
}

/** A tolerant multipart parser (RFC 2046 §5.1.1: preamble, transport padding, epilogue allowed). */
function parseMultipart(body: Uint8Array, boundary: string): Part[] {
  const text = latin1(body);
  const delimiter = `--${boundary}`;
  let at = text.startsWith(delimiter) ? 0 : text.indexOf(`\r\n${delimiter}`) + 2;
  if (at < 0 || !text.startsWith(delimiter, at)) throw new Error('no first delimiter');
  const parts: Part[] = [];
  for (;;) {
    at += delimiter.length;
    if (text.startsWith('--', at)) {
      if (!/^--[ \t]*(\r\n[\s\S]*)?$/.test(text.slice(at))) throw new Error('bad close delimiter');
      return parts;
    }
    const lineEnd = text.indexOf('\r\n', at);
    if (lineEnd < 0 || !/^[ \t]*$/.test(text.slice(at, lineEnd))) throw new Error('bad delimiter line');
    at = lineEnd + 2;
    const headers = new Map<string, string>();
    while (!text.startsWith('\r\n', at)) {
      const end = text.indexOf('\r\n', at);
      if (end < 0) throw new Error('unterminated part header');
      const line = text.slice(at, end);
      const colon = line.indexOf(':');
      if (colon <= 0) throw new Error(`bad part header line: ${JSON.stringify(line)}`);
      headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
      at = end + 2;
    }
    const bodyStart = at + 2;
    const next = text.indexOf(`\r\n${delimiter}`, bodyStart);
    if (next < 0) throw new Error('unterminated part');
    parts.push({ headers, bytes: body.subarray(bodyStart, next) });
    at = next + 2;
  }
}

function sameBytes(actual: Uint8Array, expected: Uint8Array): boolean {
  return actual.byteLength === expected.byteLength && Buffer.compare(actual, expected) === 0;
}

function describeBytes(actual: Uint8Array, expected: Uint8Array): string {
  let i = 0;
  while (i < Math.min(actual.length, expected.length) && actual[i] === expected[i]) i += 1;
  return `length ${actual.length} (expected ${expected.length}), first difference at byte ${i}`;
}

/** Compares one answer with the reference; throws with a description of the first difference. */
function checkAnswer(response: Response, body: { bytes: Uint8Array; complete: boolean }, expected: Expected, c: Case, file: Uint8Array): void {
  const size = c.sizeBytes;
  const validator = validatorFor(c);
  const h = (name: string) => response.headers.get(name);
  expect(response.status, 'status').toBe(expected.status);
  expect(h('Accept-Ranges'), 'Accept-Ranges').toBe('bytes');

  if (expected.status === 416) {
    expect(h('Content-Range'), 'Content-Range of a 416').toBe(`bytes */${size}`);
    expect(body.bytes.byteLength, 'body of a 416').toBe(0);
    return;
  }

  expect(h('ETag'), 'ETag').toBe(validator.etag ?? null);
  expect(h('Last-Modified'), 'Last-Modified').toBe(validator.lastModified ?? null);
  let expectedBody: Uint8Array;
  const single = expected.status === 200 ? { start: 0, end: size - 1 } : expected.ranges.length === 1 ? expected.ranges[0]! : undefined;
  if (single) {
    expect(h('Content-Type'), 'Content-Type').toBe(c.contentType);
    expect(h('Content-Range'), 'Content-Range').toBe(expected.status === 206 ? `bytes ${single.start}-${single.end}/${size}` : null);
    expectedBody = file.subarray(single.start, single.end + 1);
    expect(h('Content-Length'), 'Content-Length').toBe(String(expectedBody.byteLength));
  } else {
    const ranges = (expected as { ranges: ByteRange[] }).ranges;
    expect(h('Content-Range'), 'no Content-Range on a multipart answer').toBe(null);
    const boundary = boundaryOf(h('Content-Type'));
    if (!body.complete) {
      // Only a prefix: nothing to parse; its length is still bounded by the announced one.
      expect(body.bytes.byteLength).toBeLessThanOrEqual(Number(h('Content-Length')));
      return;
    }
    expect(h('Content-Length'), 'Content-Length of the multipart body').toBe(String(body.bytes.byteLength));
    const parts = parseMultipart(body.bytes, boundary);
    expect(
      parts.map((part) => part.headers.get('content-range')),
      'Content-Range of the parts',
    ).toEqual(ranges.map((r) => `bytes ${r.start}-${r.end}/${size}`));
    parts.forEach((part, i) => {
      const range = ranges[i]!;
      expect(part.headers.get('content-type'), `Content-Type of part ${i}`).toBe(c.contentType);
      const want = file.subarray(range.start, range.end + 1);
      if (!sameBytes(part.bytes, want)) throw new Error(`part ${i} (${range.start}-${range.end}): ${describeBytes(part.bytes, want)}`);
    });
    return;
  }
  if (body.complete) {
    if (!sameBytes(body.bytes, expectedBody)) throw new Error(`body: ${describeBytes(body.bytes, expectedBody)}`);
  } else {
    const prefix = expectedBody.subarray(0, body.bytes.byteLength);
    if (!sameBytes(body.bytes, prefix)) throw new Error(`body prefix: ${describeBytes(body.bytes, prefix)}`);
  }
}

/** The answer equals what the origin itself answers to `request` (a request of its own, not recorded). */
async function checkOriginsOwnAnswer(response: Response, body: { bytes: Uint8Array; complete: boolean }, request: Request, from: Origin): Promise<void> {
  const own = await new Origin(from.url, from.bytes, from.validator, from.contentType, from.chunkBytes, from.ignoresRange).fetch(request);
  const ownBody = new Uint8Array(await own.arrayBuffer());
  expect(response.status, "status: the origin's").toBe(own.status);
  for (const name of ['Content-Range', 'Content-Length', 'Content-Type']) {
    expect(response.headers.get(name), `${name}: the origin's`).toBe(own.headers.get(name));
  }
  const want = body.complete ? ownBody : ownBody.subarray(0, body.bytes.byteLength);
  if (!sameBytes(body.bytes, want)) throw new Error(`body (the origin's own answer): ${describeBytes(body.bytes, want)}`);
}

/** Waits until no upstream fetch is in flight (their segment writes are settled by then). */
async function settle(cache: RangeCache): Promise<void> {
  const deadline = Date.now() + 5000;
  while (cache.fetcher.activeCount > 0) {
    if (Date.now() > deadline) throw new Error(`${cache.fetcher.activeCount} upstream fetch(es) still active 5 s after the answers were read`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

/** What is stored must be exactly the file's bytes, listed exactly by the file record. */
async function checkStore(store: SegmentStore, url: string, c: Case, file: Uint8Array, mustKeep: number[]): Promise<number[]> {
  const db = await store.database.connection();
  const record = await db.get('files', url);
  const segments = await db.getAll('segments', IDBKeyRange.bound([url, 0], [url, Infinity]));
  const segment = c.config.segmentSizeBytes;
  if (c.validators === 'none') expect(record, 'a record of a file without a validator').toBe(undefined);
  if (!record) {
    expect(segments.length, 'segments stored without a file record').toBe(0);
    expect(mustKeep, 'segments stored beforehand are gone').toEqual([]);
    return [];
  }
  expect(record.sizeBytes, 'recorded size').toBe(c.sizeBytes);
  expect(record.segmentSizeBytes, 'recorded segment size').toBe(segment);
  expect(record.contentType, 'recorded Content-Type').toBe(c.contentType);
  const validator = validatorFor(c);
  expect(record.validator.etag, 'recorded ETag').toBe(validator.etag);
  expect(record.validator.lastModified, 'recorded Last-Modified').toBe(validator.lastModified);
  const indices = segments.map((s) => s.index);
  const listed = storedSegmentIndices(record.segmentBitmap);
  expect(indices, 'the record marks exactly the stored segments').toEqual(listed);
  expect(record.segmentBitmap.length, 'a bit per segment').toBe(Math.ceil(Math.ceil(c.sizeBytes / segment) / 8));
  let total = 0;
  for (const s of segments) {
    const start = s.index * segment;
    expect(start < c.sizeBytes, `segment ${s.index} lies inside the file`).toBe(true);
    const want = file.subarray(start, Math.min(c.sizeBytes, start + segment));
    const got = new Uint8Array(await segmentBlob(s.blob).arrayBuffer());
    expect(s.sizeBytes, `recorded length of segment ${s.index}`).toBe(want.byteLength);
    if (!sameBytes(got, want)) throw new Error(`stored segment ${s.index}: ${describeBytes(got, want)}`);
    total += want.byteLength;
  }
  expect(record.storedBytes, 'storedBytes').toBe(total);
  const mirrored = await store.getFile(url);
  expect(mirrored && storedSegmentIndices(mirrored.segmentBitmap), "the store's in-memory record").toEqual(listed);
  for (const index of mustKeep) expect(listed, `segment ${index} stored before is kept`).toContain(index);
  return listed;
}

/**
 * Every upstream request: fresh, GET, one aligned range within the window limits, never a stored
 * segment. Of a file without a validator, the answer is the origin's own: after the aligned probe
 * that found no validator, one request with the client's own Range and If-Range (`passedThrough`).
 */
function checkUpstream(requests: UpstreamRequest[], c: Case, storedBefore: number[], passedThrough: Array<{ range: string | null; ifRange: string | null }> = []): void {
  const segment = c.config.segmentSizeBytes;
  const validator = validatorFor(c);
  const stored = new Set(storedBefore);
  for (const request of requests) {
    const what = `upstream request ${JSON.stringify(request)}`;
    expect(request.method, what).toBe('GET');
    expect(request.cache, `${what}: cache mode`).toBe('no-store');
    // An empty file has no range to ask for: its requests go through as the client made them.
    if (c.sizeBytes === 0) continue;
    if (c.validators === 'none' && passedThrough.some((client) => client.range === request.range && client.ifRange === request.ifRange)) continue;
    const match = /^bytes=(\d+)-(\d+)$/.exec(request.range ?? '');
    if (!match) throw new Error(`${what}: not one bounded range`);
    const start = Number(match[1]);
    const end = Number(match[2]);
    expect(start % segment, `${what}: start aligned to ${segment}`).toBe(0);
    expect((end + 1) % segment === 0 || end + 1 === c.sizeBytes, `${what}: end aligned to ${segment} or the file's end`).toBe(true);
    expect(end - start + 1, `${what}: at most maxFetchWindowBytes`).toBeLessThanOrEqual(c.config.maxFetchWindowBytes);
    if (request.ifRange !== null) expect(request.ifRange, `${what}: If-Range`).toBe(validator.etag ?? validator.lastModified);
    for (let i = start / segment; i * segment <= Math.min(end, c.sizeBytes - 1); i += 1) {
      if (stored.has(i)) throw new Error(`${what}: asks for segment ${i}, stored before the request (stored: ${storedBefore.join(',')})`);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The property

const SMALL_CONFIG: MediaCacheConfig = {
  segmentSizeBytes: 1024,
  rangeWriteBytes: 1024,
  fullWriteBytes: 1024,
  readAheadBytes: 1024,
  fetchWindowBytes: 1024,
  maxFetchWindowBytes: 1024,
  recentSegmentsKept: 4,
};

function knownCase(sizeBytes: number, request: RequestCase): Case {
  return {
    config: SMALL_CONFIG,
    lendChunks: true,
    sizeBytes,
    salt: 0,
    validators: 'etag',
    ignoresRange: false,
    contentType: 'video/mp4',
    chunkBytes: 1024,
    record: false,
    stored: [],
    requests: [request],
    concurrent: false,
  };
}

function from(first: number): RangeCase {
  return { kind: 'valid', unit: 'bytes', specs: [{ kind: 'from', first }], separators: [], leading: '', trailing: '' };
}

/**
 * Minimal counterexamples this property found (fixed since; kept as regression cases). All three took the path where the file is not
 * known yet and the probe (aligned down to its segment) starts at or past the end of the file, so
 * the origin answers 416: RangeCache.answer then evaluates the request against a representation
 * of only `{ sizeBytes }` (a 416 carries no ETag, Last-Modified or Content-Type).
 */
const KNOWN_COUNTEREXAMPLES: Case[] = [
  // A 1-byte file, `Range: bytes=1024-` with `If-Range: "v1-1-0"` (its ETag). Expected: 416
  // `bytes */1`. Actual: a network error (Response.error()): If-Range cannot match a
  // representation without an ETag, the resolution becomes "full", and createRangeResponse slices
  // the whole file out of SegmentBlobSource.empty(1), which throws. Any If-Range value does it
  // (a non-matching one should give a 200 with the file).
  knownCase(1, { range: from(1024), ifRange: 'etag', cancelAfter: undefined }),
  // An empty file, no Range. Expected: 200 with Content-Type, ETag (README: every 200/206 carries
  // them). Actual: 200 with neither (and nothing recorded, so every request goes upstream).
  knownCase(0, { range: { kind: 'none' }, ifRange: 'none', cancelAfter: undefined }),
  // An empty file, `Range: bytes=0-` with `If-Range: "v1-0-0"` (its ETag). Expected: 416
  // `bytes */0`, as the engine answers once the file is recorded. Actual: 200.
  knownCase(0, { range: from(0), ifRange: 'etag', cancelAfter: undefined }),
];

let caseCounter = 0;

async function runCase(c: Case): Promise<void> {
  caseCounter += 1;
  const url = `https://media.test/media/case-${caseCounter}.mp4`;
  const file = fileBytes(c.sizeBytes, c.salt);
  const validator = validatorFor(c);
  const head: FileHead = { sizeBytes: c.sizeBytes, validator, contentType: c.contentType };
  const store = new SegmentStore(new MediaDatabase(`range-cache-property-${caseCounter}`));
  const segment = c.config.segmentSizeBytes;
  const thisOrigin = new Origin(url, file, validator, c.contentType, c.chunkBytes, c.ignoresRange);
  origin = thisOrigin;
  try {
    if (c.record) await store.saveHead(url, head, segment);
    for (const index of c.stored) {
      const blob = new Blob([file.slice(index * segment, Math.min(c.sizeBytes, (index + 1) * segment))]);
      if (!(await store.putSegment(url, index, blob, head))) throw new Error(`setup: segment ${index} not stored`);
    }
    const cache = new RangeCache({ config: c.config, store, lendChunks: c.lendChunks });

    const requestOf = (r: RequestCase): Request => {
      const headers = new Headers();
      const range = renderRange(r.range);
      if (range !== undefined) headers.set('Range', range);
      const ifRange = ifRangeHeader(r.ifRange, validator);
      if (ifRange !== undefined) headers.set('If-Range', ifRange);
      return new Request(url, { headers });
    };
    const clientHeaders = (r: RequestCase) => {
      const headers = requestOf(r).headers;
      return { range: headers.get('Range'), ifRange: headers.get('If-Range') };
    };
    const answer = async (r: RequestCase, i: number): Promise<void> => {
      const expected = expectedAnswer(r, c.sizeBytes, validator);
      const sent = `Range: ${renderRange(r.range)}, If-Range: ${ifRangeHeader(r.ifRange, validator)}`;
      const response = await cache.handle(requestOf(r));
      if (response.type === 'error') throw new Error(`request ${i} (${sent}): a network error, expected a ${expected.status}`);
      const body = await readBody(response, r.cancelAfter, c.lendChunks);
      try {
        // Without a validator nothing tells two upstream answers apart: an answer with a body is
        // the origin's own answer to the request, never one stitched by the cache (a 416, which
        // the probe's answer already decides, has none).
        if (c.validators === 'none' && c.sizeBytes > 0 && response.status !== 416) await checkOriginsOwnAnswer(response, body, requestOf(r), thisOrigin);
        else checkAnswer(response, body, expected, c, file);
      } catch (error) {
        throw new Error(`request ${i} (${sent}): ${(error as Error).message}`);
      }
    };

    let stored = [...c.stored];
    if (c.concurrent && c.requests.length > 1) {
      await Promise.all(c.requests.map(answer));
      await settle(cache);
      checkUpstream(thisOrigin.requests, c, stored, c.requests.map(clientHeaders));
      await checkStore(store, url, c, file, stored);
    } else {
      for (const [i, r] of c.requests.entries()) {
        const before = thisOrigin.requests.length;
        const record = await store.getFile(url);
        await answer(r, i);
        await settle(cache);
        const made = thisOrigin.requests.slice(before);
        checkUpstream(made, c, stored, [clientHeaders(r)]);
        // An answer whose every segment was stored (and known to be) costs no upstream request.
        const needed = neededSegments(expectedAnswer(r, c.sizeBytes, validator), c.sizeBytes, segment);
        if (record && needed.every((index) => stored.includes(index))) {
          expect(made, `request ${i}: all of its segments were stored, yet it went upstream`).toEqual([]);
        }
        stored = await checkStore(store, url, c, file, stored);
      }
    }
  } finally {
    origin = undefined;
    store.close();
  }
}

describe('RangeCache against a reference (property-based)', () => {
  it('answers every Range like the reference and stores only the right bytes', { timeout: 120_000 }, async () => {
    await fc.assert(fc.asyncProperty(caseArb, runCase), {
      numRuns: RUNS,
      examples: KNOWN_COUNTEREXAMPLES.map((c): [Case] => [c]),
      ...(SEED === undefined ? {} : { seed: SEED }),
      ...(PATH === undefined ? {} : { path: PATH }),
    });
  });
});
