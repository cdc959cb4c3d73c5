import { describe, expect, it } from 'vitest';
import { parseRangeHeader, type ParsedRange } from './parseRangeHeader.js';
import { loadVector } from '../../../test/loadVector.js';

const malformed: ParsedRange = { ok: false, code: 'range-malformed' };
const notBytes: ParsedRange = { ok: false, code: 'range-unit-not-bytes' };

describe('parseRangeHeader', () => {
  it.each<[string, ParsedRange]>([
    ['bytes=0-499', { ok: true, specs: [{ kind: 'bounded', first: 0, last: 499 }] }],
    ['bytes=9500-', { ok: true, specs: [{ kind: 'from', first: 9500 }] }],
    ['bytes=-500', { ok: true, specs: [{ kind: 'suffix', length: 500 }] }],
    ['bytes=0-0', { ok: true, specs: [{ kind: 'bounded', first: 0, last: 0 }] }],
    ['bytes=-0', { ok: true, specs: [{ kind: 'suffix', length: 0 }] }],
    ['bytes=007-010', { ok: true, specs: [{ kind: 'bounded', first: 7, last: 10 }] }],
    // RFC 9110 §14.1: the unit is case-insensitive.
    ['Bytes=0-1', { ok: true, specs: [{ kind: 'bounded', first: 0, last: 1 }] }],
    ['BYTES=0-1', { ok: true, specs: [{ kind: 'bounded', first: 0, last: 1 }] }],
    // OWS around list elements (RFC 9110 §5.6.1), and around "=" and "-" (Fetch leniency).
    [
      'bytes= 0-1 ,\t2-3 ',
      { ok: true, specs: [{ kind: 'bounded', first: 0, last: 1 }, { kind: 'bounded', first: 2, last: 3 }] },
    ],
    ['bytes \t=\t 6-', { ok: true, specs: [{ kind: 'from', first: 6 }] }],
    ['bytes=5 - 10', { ok: true, specs: [{ kind: 'bounded', first: 5, last: 10 }] }],
    // Empty list elements are ignored (RFC 9110 §5.6.1.2).
    [
      'bytes=0-1,,2-3',
      { ok: true, specs: [{ kind: 'bounded', first: 0, last: 1 }, { kind: 'bounded', first: 2, last: 3 }] },
    ],
    ['bytes=0-5,', { ok: true, specs: [{ kind: 'bounded', first: 0, last: 5 }] }],
    ['bytes=, 0-5', { ok: true, specs: [{ kind: 'bounded', first: 0, last: 5 }] }],
    // Order and overlap are kept: resolving them needs the size.
    [
      'bytes=-1,0-0,0-',
      {
        ok: true,
        specs: [{ kind: 'suffix', length: 1 }, { kind: 'bounded', first: 0, last: 0 }, { kind: 'from', first: 0 }],
      },
    ],
    ['bytes=9007199254740991-', { ok: true, specs: [{ kind: 'from', first: Number.MAX_SAFE_INTEGER }] }],
    ['bytes=', malformed],
    ['bytes=,', malformed],
    ['bytes= , , ', malformed],
    ['bytes', malformed],
    ['', malformed],
    ['=0-1', malformed],
    ['by tes=0-1', malformed],
    ['bytes==0-1', malformed],
    ['bytes=-', malformed],
    ['bytes=7-1', malformed],
    ['bytes=0-1,7-1', malformed],
    ['bytes=0-1,x', malformed],
    ['bytes=0 1-2', malformed],
    ['bytes=+1-2', malformed],
    ['bytes=1.5-2', malformed],
    ['bytes=1e3-', malformed],
    ['bytes=0x1-2', malformed],
    ['bytes=\uff11-2', malformed],
    ['bytes=0-1\n', malformed],
    // Past 2^53 a position is Infinity (beyond every size), not rounded; last < first is still
    // decided by the digits.
    ['bytes=9007199254740992-', { ok: true, specs: [{ kind: 'from', first: Infinity }] }],
    ['bytes=0-9007199254740993', { ok: true, specs: [{ kind: 'bounded', first: 0, last: Infinity }] }],
    ['bytes=0-99999999999999999999999', { ok: true, specs: [{ kind: 'bounded', first: 0, last: Infinity }] }],
    ['bytes=-9007199254740992', { ok: true, specs: [{ kind: 'suffix', length: Infinity }] }],
    ['bytes=9007199254740993-9007199254740995', { ok: true, specs: [{ kind: 'bounded', first: Infinity, last: Infinity }] }],
    ['bytes=9007199254740995-9007199254740993', malformed],
    ['bytes=99999999999999999999999-1', malformed],
    ['bytes=0009-10', { ok: true, specs: [{ kind: 'bounded', first: 9, last: 10 }] }],
    ['bytes=10-0009', malformed],
    ['items=0-5', notBytes],
    ['not-bytes=', notBytes],
    ['bytesx=0-1', notBytes],
  ])('%j', (header, expected) => {
    expect(parseRangeHeader(header)).toEqual(expected);
  });
});

/**
 * workbox-range-requests' own parser tests (GoogleChrome/workbox @ 7e59a84,
 * test/workbox-range-requests/sw/utils/test-parseRangeHeader.mjs, MIT). workbox returns
 * {start, end} with end holding the suffix length; its error codes map onto ours below.
 */
interface WorkboxParserVectors {
  parseRangeHeader: {
    valid: { header: string; expect: { start: number | null; end: number | null } }[];
    errors: { header: string; expect: string }[];
  };
}

describe('parseRangeHeader against workbox-range-requests parser vectors', () => {
  const vectors = loadVector<WorkboxParserVectors>('workbox-range-requests.json').parseRangeHeader;

  it.each(vectors.valid)('valid $header', ({ header, expect: { start, end } }) => {
    const spec =
      start === null
        ? { kind: 'suffix', length: end }
        : end === null
          ? { kind: 'from', first: start }
          : { kind: 'bounded', first: start, last: end };
    expect(parseRangeHeader(header)).toEqual({ ok: true, specs: [spec] });
  });

  const workboxCodeToOurs: Record<string, string> = {
    'unit-must-be-bytes': 'range-unit-not-bytes',
    'invalid-range-values': 'range-malformed',
  };
  // Rows where we deliberately accept what workbox refuses.
  const expectedDifferences: Record<string, { ours: ParsedRange; reason: string }> = {
    'bytes=1-2, 3-4': {
      ours: { ok: true, specs: [{ kind: 'bounded', first: 1, last: 2 }, { kind: 'bounded', first: 3, last: 4 }] },
      reason: 'workbox handles one range only; RFC 9110 §14.1.1 allows a range-set, which resolveRanges coalesces',
    },
    'bytes=123 - 456': {
      ours: { ok: true, specs: [{ kind: 'bounded', first: 123, last: 456 }] },
      reason: 'browsers accept whitespace around "-" (Fetch "parse a single range header value", wpt blob.any.js)',
    },
  };

  it.each(vectors.errors)('error $header => $expect', ({ header, expect: workboxCode }) => {
    const difference = expectedDifferences[header];
    if (difference !== undefined) {
      expect(parseRangeHeader(header)).toEqual(difference.ours);
      return;
    }
    expect(parseRangeHeader(header)).toEqual({ ok: false, code: workboxCodeToOurs[workboxCode] });
  });

  it('lists only differences that occur in the vectors', () => {
    const headers = new Set(vectors.errors.map((row) => row.header));
    expect(Object.keys(expectedDifferences).filter((header) => !headers.has(header))).toEqual([]);
  });
});
